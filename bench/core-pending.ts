// What open approval requests cost the rest of the stream: the core path (pipeline.ts) over
// recorded sessions on a core that also holds 20,000 open permission requests of other
// sessions — each followed by a thread whose person has not answered yet, so the router holds
// them too (timer, abort signal) — against the same core holding none. µs per parsed frame,
// the ratio taken per run (median). Also a full `router.subscribe` of a new session on each.
import { lastTurnText } from "../test/harness/text.ts"
import { loadFixture } from "../test/harness/fixtures.ts"
import { parseEventData, type RuntimeEvent } from "../src/runtime/events.ts"
import { median } from "./accounting.ts"
import { gc, makeCore, parsedByPipeline, pass, type Core } from "./pipeline.ts"
import { answering, subscribeAll, waiting } from "./subscribers.ts"
import { buildWorkload, mismatches } from "./workload.ts"

export interface PendingFigures {
  pending: number
  sessions: number
  usPerEventNone: number
  usPerEventPending: number
  ratio: number
  subscribeMsNone: number
  subscribeMsPending: number
  textMismatches: number
}

/** `permission.asked` frames for `n` sessions of their own, shaped like the recorded one. */
function openRequests(n: number): RuntimeEvent[] {
  const line = loadFixture("tool-permission").lines.find((l) => l.includes('"type":"permission.asked"'))!
  const frame = JSON.parse(line) as { payload: { id: string; properties: { id: string; sessionID: string; tool?: { messageID: string } } } }
  const events: RuntimeEvent[] = []
  for (let i = 0; i < n; i++) {
    const p = frame.payload
    p.id = `evt_open${i}`
    p.properties.id = `per_open${i}`
    p.properties.sessionID = `ses_open${i}`
    if (p.properties.tool) p.properties.tool.messageID = `msg_open${i}`
    events.push(parseEventData(JSON.stringify(frame))!)
  }
  return events
}

/** A core holding `pending` open requests, each followed by a thread that has not answered. */
function coreWith(pending: RuntimeEvent[], echo: Map<string, string>): Core {
  const core = makeCore(echo)
  const asked = { count: 0 }
  subscribeAll(
    core.router,
    pending.map((e) => (e as { properties: { sessionID: string } }).properties.sessionID),
    () => waiting(asked),
  )
  for (let i = 0; i < pending.length; i += 1_000) core.store.applyBatch(pending.slice(i, i + 1_000))
  if (asked.count !== pending.length || core.store.pending().permissions.length !== pending.length) {
    throw new Error(`expected ${pending.length} open requests asked in chat, got ${asked.count}`)
  }
  return core
}

function subscribeMs(core: Core, n = 30): number {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    const off = core.router.subscribe(`ses_fresh${i}`, waiting())
    times.push(performance.now() - t)
    off()
  }
  return median(times)
}

export async function runPendingBench(opts: { copies?: number; pending?: number; runs?: number } = {}): Promise<PendingFigures> {
  const copies = opts.copies ?? 300
  const runs = opts.runs ?? 5
  const open = openRequests(opts.pending ?? 20_000)
  const work = buildWorkload(copies, { shape: "stream", tag: "p" })
  const ids = work.expected.flatMap((e) => [...e.sessionIDs])
  const flags = parsedByPipeline([...work.lines, ...work.replies.values()])
  const parsed = flags.filter(Boolean).length
  const none: number[] = []
  const loaded: number[] = []
  const ratios: number[] = []
  let textMismatches = 0
  let subscribeNone = 0
  let subscribePending = 0
  for (let r = -1; r < runs; r++) {
    const timed = async (core: Core) => {
      subscribeAll(core.router, ids, () => answering(core.trips))
      gc()
      const p = await pass(core, work.lines)
      const store = core.store
      textMismatches = Math.max(
        textMismatches,
        mismatches(work.expected, (s) => lastTurnText([...s].map((id) => store.session(id)).find((x) => x?.messages.some((m) => m.info.role === "assistant")))),
        p.settled ? 0 : 1,
      )
      return (p.ms * 1000) / parsed
    }
    // Which goes first alternates, so warm-up and heap growth weigh on both alike.
    const measure = async (loaded: boolean) => {
      const core = loaded ? coreWith(open, work.replies) : makeCore(work.replies)
      const us = await timed(core)
      if (r === runs - 1) {
        if (loaded) subscribePending = subscribeMs(core)
        else subscribeNone = subscribeMs(core)
      }
      core.router.stop()
      return us
    }
    const first = r % 2 === 0
    const a = first ? await measure(false) : 0
    const b = await measure(true)
    const c = first ? a : await measure(false)
    if (r < 0) continue // warm-up
    none.push(c)
    loaded.push(b)
    ratios.push(b / c)
  }
  return {
    pending: open.length,
    sessions: ids.length,
    usPerEventNone: Number(median(none).toFixed(3)),
    usPerEventPending: Number(median(loaded).toFixed(3)),
    ratio: Number(median(ratios).toFixed(3)),
    subscribeMsNone: Number(subscribeNone.toFixed(4)),
    subscribeMsPending: Number(subscribePending.toFixed(4)),
    textMismatches,
  }
}
