// The first definition of `core.floor_ratio`, kept once beside the honest one so the change of
// definition shows: every copy complete (one `server.connected` and instance boot per copy),
// the floor JSON.parse-ing every raw line (also the `sync` duplicates the pipeline drops
// unparsed), no-op subscribers (no round-trips), a fake clock advanced 1 ms per 32 lines, and
// the ratio of the median rates instead of the median of per-run ratios.
import { Router } from "../src/core/router/router.ts"
import { Store } from "../src/core/store/store.ts"
import { silentLogger } from "../src/log/logger.ts"
import { Batcher, type Clock } from "../src/runtime/batcher.ts"
import { parseEventData, type RuntimeEvent } from "../src/runtime/events.ts"
import { median } from "./accounting.ts"
import { buildWorkload } from "./workload.ts"

function replayClock() {
  let now = 0
  const due: Array<{ at: number; fn: () => void }> = []
  const clock: Clock = {
    now: () => now,
    schedule(fn, ms) {
      const t = { at: now + ms, fn }
      due.push(t)
      return () => {
        const i = due.indexOf(t)
        if (i >= 0) due.splice(i, 1)
      }
    },
  }
  const advance = (ms: number) => {
    now += ms
    for (let i = 0; i < due.length; ) {
      if (due[i]!.at <= now) {
        const [t] = due.splice(i, 1)
        t!.fn()
      } else i++
    }
  }
  return { clock, advance }
}

function legacyPipeline(lines: string[], subscribeAll: Iterable<string>): number {
  const store = new Store({ log: silentLogger })
  const router = new Router({ store, log: silentLogger, replies: { permission: async () => {}, question: async () => {} } })
  const noop = {}
  for (const id of subscribeAll) router.subscribe(id, noop)
  const { clock, advance } = replayClock()
  const batcher = new Batcher<RuntimeEvent>({ clock, deliver: (events, first) => store.applyBatch(events, first) })
  const start = performance.now()
  for (let i = 0; i < lines.length; i++) {
    const event = parseEventData(lines[i]!)
    if (event) batcher.push(event)
    if ((i & 31) === 31) advance(1)
  }
  batcher.flush()
  const ms = performance.now() - start
  router.stop()
  return ms
}

export function legacyFloorRatio(copies = 1_200, runs = 5): number {
  const { lines, expected } = buildWorkload(copies, { shape: "legacy" })
  const sessionIDs = expected.flatMap((e) => [...e.sessionIDs])
  const floor: number[] = []
  const full: number[] = []
  for (let r = -1; r < runs; r++) {
    const t = performance.now()
    let sink = 0
    for (const line of lines) sink += (JSON.parse(line) as { payload?: unknown }).payload ? 1 : 0
    if (sink < 0) console.log(sink)
    const parseMs = performance.now() - t
    const ms = legacyPipeline(lines, sessionIDs)
    if (r >= 0) {
      floor.push(lines.length / (parseMs / 1000))
      full.push(lines.length / (ms / 1000))
    }
  }
  return Number((median(full) / median(floor)).toFixed(3))
}
