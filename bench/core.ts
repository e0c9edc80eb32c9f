// Core throughput and memory: recorded OpenCode streams (test/fixtures/events), copied with
// fresh ids into many distinct sessions and interleaved as concurrent sessions would be,
// replayed through raw line → parse → 16 ms batching → store → router (no-op subscribers).
// The floor is JSON.parse of the same raw lines alone. Every session's final text is checked.
import { Router } from "../src/core/router/router.ts"
import { Store } from "../src/core/store/store.ts"
import { silentLogger } from "../src/log/logger.ts"
import { Batcher, type Clock } from "../src/runtime/batcher.ts"
import { parseEventData, type RuntimeEvent } from "../src/runtime/events.ts"
import { fixtureNames, loadFixture, type Fixture } from "../test/harness/fixtures.ts"
import { lastTurnText } from "../test/harness/text.ts"

export interface CoreFigures {
  sessions: number
  lines: number
  parseFloorEventsPerSec: number
  eventsPerSec: number
  floorRatio: number
  heapPerSessionKb: number
  textMismatches: number
  skippedBeforeParse: number
}

const ID = /\b(ses|msg|prt|per|que|call|evt)_[A-Za-z0-9]+/g

/** A copy of a fixture whose every id gets a suffix unique to the copy (order is kept). */
function copyLines(fx: Fixture, copy: number): { lines: string[]; sessionIDs: Set<string> } {
  const tag = copy.toString(36).padStart(4, "0")
  const sessionIDs = new Set<string>()
  const lines = fx.lines.map((line) =>
    line.replace(ID, (id) => {
      const fresh = `${id}x${tag}`
      if (id.startsWith("ses_")) sessionIDs.add(fresh)
      return fresh
    }),
  )
  return { lines, sessionIDs }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

interface Workload {
  lines: string[]
  expected: Array<{ sessionIDs: Set<string>; fx: Fixture }>
}

/** Interleaves copies in waves, as concurrent sessions arrive on one stream. */
function buildWorkload(copies: number): Workload {
  const fixtures = fixtureNames().map(loadFixture)
  const streams: string[][] = []
  const expected: Workload["expected"] = []
  for (let i = 0; i < copies; i++) {
    const fx = fixtures[i % fixtures.length]!
    const { lines, sessionIDs } = copyLines(fx, i)
    streams.push(lines)
    expected.push({ sessionIDs, fx })
  }
  const lines: string[] = []
  const wave = 50
  for (let w = 0; w < streams.length; w += wave) {
    const group = streams.slice(w, w + wave)
    const longest = Math.max(...group.map((s) => s.length))
    for (let j = 0; j < longest; j++) for (const s of group) if (j < s.length) lines.push(s[j]!)
  }
  return { lines, expected }
}

/** A clock that advances 1 ms per network read of 32 lines, so batching happens without sleeping. */
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

function pipeline(lines: string[], subscribeAll: Iterable<string>) {
  const store = new Store({ log: silentLogger })
  const router = new Router({ store, log: silentLogger, replies: { permission: async () => {}, question: async () => {} } })
  const noop = {}
  for (const id of subscribeAll) router.subscribe(id, noop)
  const { clock, advance } = replayClock()
  const batcher = new Batcher<RuntimeEvent>({ clock, deliver: (events, first) => store.applyBatch(events, first) })
  let skipped = 0
  const start = performance.now()
  for (let i = 0; i < lines.length; i++) {
    const event = parseEventData(lines[i]!)
    if (event) batcher.push(event)
    else skipped++
    if ((i & 31) === 31) advance(1)
  }
  batcher.flush()
  const ms = performance.now() - start
  return { store, router, ms, skipped }
}

export function runCoreBench(opts: { copies?: number; runs?: number } = {}): CoreFigures {
  const copies = opts.copies ?? 1_200
  const runs = opts.runs ?? 5
  const { lines, expected } = buildWorkload(copies)
  const sessionIDs = expected.flatMap((e) => [...e.sessionIDs])
  const floor: number[] = []
  const full: number[] = []
  let skipped = 0
  for (let r = -1; r < runs; r++) {
    let t = performance.now()
    let sink = 0
    for (const line of lines) sink += (JSON.parse(line) as { payload?: unknown }).payload ? 1 : 0
    if (sink < 0) console.log(sink)
    const parseMs = performance.now() - t
    const result = pipeline(lines, sessionIDs)
    skipped = result.skipped
    result.router.stop()
    if (r >= 0) {
      floor.push(lines.length / (parseMs / 1000))
      full.push(lines.length / (result.ms / 1000))
    }
  }
  // Memory: the store holding every replayed session, lines excluded.
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  const before = process.memoryUsage().heapUsed
  const { store, router } = pipeline(lines, [])
  gc?.()
  gc?.()
  const after = process.memoryUsage().heapUsed
  let mismatches = 0
  for (const { sessionIDs: ids, fx } of expected) {
    const session = [...ids].map((id) => store.session(id)).find((s) => s?.messages.some((m) => m.info.role === "assistant"))
    const text = lastTurnText(session)
    const ok = fx.expected.cutFrom !== undefined ? fx.expected.cutFrom.startsWith(text) && text.length > 0 : text === fx.expected.finalText
    if (!ok) mismatches++
  }
  const sessions = [...store.sessions()].length
  router.stop()
  const eventsPerSec = median(full)
  const parseFloor = median(floor)
  return {
    sessions,
    lines: lines.length,
    parseFloorEventsPerSec: Math.round(parseFloor),
    eventsPerSec: Math.round(eventsPerSec),
    floorRatio: Number((eventsPerSec / parseFloor).toFixed(3)),
    heapPerSessionKb: gc ? Number(((after - before) / 1024 / sessions).toFixed(2)) : Number.NaN,
    textMismatches: mismatches,
    skippedBeforeParse: skipped,
  }
}
