// The relay's core path for one `/global/event` connection, as the benchmarks drive it: each
// SSE data line goes through `parseEventData` (a malformed one is counted and skipped, as the
// event stream does), the real `Batcher` on real timers (16 ms), `Store.applyBatch`, and the
// `Router` with its subscribers and permission/question round-trips. Left out on both sides of
// the floor comparison: the socket and SSE decoding, and the resync after `server.connected`.
import { Router } from "../src/core/router/router.ts"
import { Store } from "../src/core/store/store.ts"
import { silentLogger } from "../src/log/logger.ts"
import { Batcher, systemClock } from "../src/runtime/batcher.ts"
import { parseEventData, type RuntimeEvent } from "../src/runtime/events.ts"
import { RoundTrips } from "./subscribers.ts"
import { feed } from "./workload.ts"

export interface Core {
  store: Store
  router: Router
  trips: RoundTrips
}

/** A fresh store and router; `echo`: the runtime's `*.replied` frame per request id (Workload.replies). */
export function makeCore(echo?: Map<string, string>): Core {
  const store = new Store({ log: silentLogger })
  const trips = new RoundTrips(echo)
  const router = new Router({ store, log: silentLogger, replies: trips.runtime })
  return { store, router, trips }
}

export interface Pass {
  ms: number
  reads: number
  batches: number
  malformed: number
  /** Every asked request was closed (answered, or closed by the stream) by the end. */
  settled: boolean
}

/** Feeds `lines` through the core in network reads; the time includes the last round-trips. */
export async function pass(core: Core, lines: string[]): Promise<Pass> {
  let batches = 0
  let malformed = 0
  const batcher = new Batcher<RuntimeEvent>({
    clock: systemClock,
    deliver: (events, first) => {
      batches++
      core.store.applyBatch(events, first)
    },
  })
  const onLine = (line: string) => {
    let event: RuntimeEvent | null
    try {
      event = parseEventData(line)
    } catch {
      malformed++
      return
    }
    if (event) batcher.push(event)
  }
  const start = performance.now()
  const arriving = core.trips.arriving
  const reads = await feed(lines, onLine, arriving)
  // After the recording ends, the runtime's last answers still arrive.
  let settled = true
  for (let round = 0; ; round++) {
    batcher.flush()
    settled = await core.trips.settled()
    if (arriving.length === 0 || round >= 10) break
    for (const line of arriving.splice(0)) onLine(line)
  }
  batcher.flush()
  return { ms: performance.now() - start, reads, batches, malformed, settled }
}

/**
 * Which lines the pipeline hands to JSON.parse (the rest it drops by a byte mark first), found
 * by watching JSON.parse while `parseEventData` reads each line once — so the floor parses
 * exactly these, whatever the skipping rule becomes.
 */
export function parsedByPipeline(lines: string[]): boolean[] {
  const parse = JSON.parse
  let hit = false
  JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
    hit = true
    return parse(text, reviver)
  }) as typeof JSON.parse
  try {
    return lines.map((line) => {
      hit = false
      try {
        parseEventData(line)
      } catch {
        // malformed frames were still parsed (or tried)
      }
      return hit
    })
  } finally {
    JSON.parse = parse
  }
}

export const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    throw new Error("run the benchmarks with node --expose-gc (npm run bench does)")
  })
