// Core throughput and memory on recorded streams (workload.ts: 1,200 sessions as one
// `/global/event` connection carries them, `sync` duplicates included), through the path of
// pipeline.ts: parse → real 16 ms batching on real timers → store → router, with subscribers
// that answer every permission/question round-trip, awaited. The floor is JSON.parse of exactly
// the lines the pipeline parses, in the same network reads; a forced GC precedes each timed
// run, and the ratio is taken per run (median of the per-run ratios). Every session's final
// text is checked in every run.
import type { Store } from "../src/core/store/store.ts"
import { lastTurnText } from "../test/harness/text.ts"
import { median } from "./accounting.ts"
import { legacyFloorRatio } from "./core-legacy.ts"
import { gc, makeCore, parsedByPipeline, pass, type Pass } from "./pipeline.ts"
import { answering, subscribeAll } from "./subscribers.ts"
import { buildWorkload, feed, mismatches, READ_BYTES, type Workload } from "./workload.ts"

export interface CoreFigures {
  sessions: number
  lines: number
  linesSkippedBeforeParse: number
  linesParsed: number
  parseFloorEventsPerSec: number
  eventsPerSec: number
  framesPerSec: number
  floorRatio: number
  floorRatioLegacy: number
  heapPerSessionKb: number
  textMismatches: number
  roundTrips: number
  roundTripsAnswered: number
  roundTripsUnsettled: number
  batches: number
  reads: number
  malformed: number
  readBytes: number
}

function checkTexts(store: Store, expected: Workload["expected"]): number {
  return mismatches(expected, (ids) => lastTurnText([...ids].map((id) => store.session(id)).find((s) => s?.messages.some((m) => m.info.role === "assistant"))))
}

/** One honest run on a fresh core: its pass, and the store it leaves. */
async function run(work: Workload, sessionIDs: string[]): Promise<{ pass: Pass; store: Store; asked: number; answered: number }> {
  const core = makeCore(work.replies)
  subscribeAll(core.router, sessionIDs, () => answering(core.trips))
  gc()
  const p = await pass(core, work.lines)
  core.router.stop()
  return { pass: p, store: core.store, asked: core.trips.asked, answered: core.trips.answered }
}

export async function runCoreBench(opts: { copies?: number; runs?: number } = {}): Promise<CoreFigures> {
  const copies = opts.copies ?? 1_200
  const runs = opts.runs ?? 5
  const work = buildWorkload(copies, { shape: "stream" })
  const sessionIDs = work.expected.flatMap((e) => [...e.sessionIDs])
  // Every frame the connection carries: the recording plus the runtime's answers it sends back.
  const frames = [...work.lines, ...work.replies.values()]
  const parsedFlags = parsedByPipeline(frames)
  const parsed = frames.filter((_, i) => parsedFlags[i])
  const ratios: number[] = []
  const floorRates: number[] = []
  const rates: number[] = []
  const frameRates: number[] = []
  let textMismatches = 0
  let last: Awaited<ReturnType<typeof run>> | undefined
  let unsettled = 0
  for (let r = -1; r < runs; r++) {
    gc()
    const t = performance.now()
    let sink = 0
    await feed(frames, (line, i) => {
      if (parsedFlags[i]) sink += (JSON.parse(line) as { payload?: unknown }).payload ? 1 : 0
    })
    const floorMs = performance.now() - t
    if (sink < 0) console.log(sink)
    last = await run(work, sessionIDs)
    textMismatches = Math.max(textMismatches, checkTexts(last.store, work.expected))
    if (!last.pass.settled) unsettled++
    if (r < 0) continue // warm-up
    ratios.push(floorMs / last.pass.ms)
    floorRates.push(parsed.length / (floorMs / 1000))
    rates.push(parsed.length / (last.pass.ms / 1000))
    frameRates.push(frames.length / (last.pass.ms / 1000))
  }
  const figures = last!

  // Memory: a store holding every replayed session (lines, router and subscribers excluded).
  last = undefined
  gc()
  gc()
  const before = process.memoryUsage().heapUsed
  const kept = await run(work, sessionIDs)
  gc()
  gc()
  const after = process.memoryUsage().heapUsed
  textMismatches = Math.max(textMismatches, checkTexts(kept.store, work.expected))
  const sessions = [...kept.store.sessions()].length

  return {
    sessions,
    lines: frames.length,
    linesSkippedBeforeParse: frames.length - parsed.length,
    linesParsed: parsed.length,
    parseFloorEventsPerSec: Math.round(median(floorRates)),
    eventsPerSec: Math.round(median(rates)),
    framesPerSec: Math.round(median(frameRates)),
    floorRatio: Number(median(ratios).toFixed(3)),
    floorRatioLegacy: legacyFloorRatio(copies, runs),
    heapPerSessionKb: Number(((after - before) / 1024 / sessions).toFixed(2)),
    textMismatches,
    roundTrips: figures.asked,
    roundTripsAnswered: figures.answered,
    roundTripsUnsettled: unsettled,
    batches: figures.pass.batches,
    reads: figures.pass.reads,
    malformed: figures.pass.malformed,
    readBytes: READ_BYTES,
  }
}
