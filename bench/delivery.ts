// Delivery under platform-shaped budgets, on a fake clock (so minutes of streaming take
// seconds): many synthetic turns stream into the in-memory platform, which enforces the
// platform's *published* limits (its own table, never the rules the outbox paces by). Our
// outbox runs beside two naive baselines seen in the wild: an edit on every delta, and an edit
// every 500 ms. Figures per strategy: fidelity (final text right), budget use, the 429s the
// fake answered, p95 staleness, and the longest wait for first text (see accounting.ts).
import FakeTimers from "@sinonjs/fake-timers"
import { MemoryAdapter } from "../adapters/memory/adapter.ts"
import type { PlatformLimit } from "../adapters/memory/budget.ts"
import type { ChatCapabilities, ChatOp, MessageRef, ThreadRef } from "../src/chat/types.ts"
import { Outbox } from "../src/delivery/outbox.ts"
import { formatBlocks } from "../src/delivery/render/format.ts"
import { splitMarkdown } from "../src/delivery/split-markdown.ts"
import { TurnStream } from "../src/delivery/turn-stream.ts"
import { silentLogger } from "../src/log/logger.ts"
import { profiles, publishedLimits, type ProfileName } from "../test/harness/budget-profiles.ts"
import { SyntheticTurn } from "../test/harness/synthetic-turn.ts"
import { VersionBook, budgetUse, dirtySpans, markerOf, percentile, staleness, type AcceptedCall, type KeyedSpan, type Shown } from "./accounting.ts"

export type Strategy = "switchboard" | "every_delta" | "interval_500ms"

export interface DeliveryFigures {
  fidelity: number
  budgetUse: number
  /** Calls the limit counts, accepted while changed text waited, and what the limit allowed then. */
  budgetSent: number
  budgetAllowed: number
  /** 429s the fake platform answered (its own limits). */
  rateLimited: number
  p95StalenessMs: number
  maxFirstTextMs: number
  calls: number
  /** The limit budget use is measured against. */
  limit: PlatformLimit
}

interface Session {
  thread: ThreadRef
  turn: SyntheticTurn
  /** Every step of the answer with the chunks it renders to (the ground truth of "changed text"). */
  book: VersionBook
  firstDeltaAt: number
}

const DELTA_MS = 80 // ~300 characters a second, a brisk model
export const LATENCY_MS = 40

function chunksOf(turn: SyntheticTurn, caps: ChatCapabilities): { chunks: string[]; formatted: string } {
  const soft = caps.softMessageLength !== undefined ? { soft: caps.softMessageLength } : {}
  const formatted = formatBlocks(turn.blocks(), caps.markdown)
  return { chunks: splitMarkdown(formatted, { limit: caps.maxMessageLength, ...soft }), formatted }
}

/** A naive delivery: render and split like ours, then edit with no limiter and no retry. */
class Naive {
  private readonly sent: string[] = []
  private readonly refs: MessageRef[] = []
  private busy = false
  private readonly adapter: MemoryAdapter
  private readonly s: Session
  private readonly caps: ChatCapabilities
  private readonly awaitCalls: boolean
  constructor(adapter: MemoryAdapter, s: Session, caps: ChatCapabilities, awaitCalls: boolean) {
    this.adapter = adapter
    this.s = s
    this.caps = caps
    this.awaitCalls = awaitCalls
  }

  async update(): Promise<void> {
    if (this.awaitCalls && this.busy) return
    this.busy = true
    try {
      const { chunks } = chunksOf(this.s.turn, this.caps)
      for (let i = 0; i < chunks.length; i++) {
        if (this.sent[i] === chunks[i]) continue
        const call = i < this.refs.length ? this.adapter.edit(this.refs[i]!, { text: chunks[i]! }) : this.adapter.post(this.s.thread, { text: chunks[i]! })
        const done = call.then(
          (ref) => {
            if (typeof ref === "string") this.refs[i] = ref
            this.sent[i] = chunks[i]!
          },
          () => {}, // a naive bot drops what failed; the next update may fix it
        )
        if (this.awaitCalls || i >= this.refs.length) await done
      }
    } finally {
      this.busy = false
    }
  }
}

/** The limit budget use is measured against: the platform's slowest sustained limit on edits. */
export function budgetLimit(profile: ProfileName): PlatformLimit {
  const limits = publishedLimits[profile] as PlatformLimit[]
  return [...limits].filter((l) => l.ops.includes("edit")).sort((a, b) => a.max / a.perMs - b.max / b.perMs)[0]!
}

export async function runDelivery(profile: ProfileName, strategy: Strategy, opts: { sessions: number; channels: number; size: number }): Promise<DeliveryFigures> {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"] })
  try {
    const caps = profiles[profile] as ChatCapabilities
    const limits = publishedLimits[profile] as PlatformLimit[]
    const adapter = new MemoryAdapter({ capabilities: caps, latencyMs: LATENCY_MS, limits })
    const outbox = new Outbox({ adapter, log: silentLogger })
    const sessions: Session[] = []
    const running: Array<Promise<void>> = []
    for (let i = 0; i < opts.sessions; i++) {
      const turn = new SyntheticTurn({ size: opts.size, delta: 24, seed: 100 + i })
      const s: Session = { thread: adapter.thread(`c${i % opts.channels}`), turn, book: new VersionBook(), firstDeltaAt: 0 }
      sessions.push(s)
      const stagger = Math.floor((i * 997) % 1000)
      running.push(drive(s, stagger))
    }
    async function drive(s: Session, stagger: number): Promise<void> {
      await new Promise((r) => setTimeout(r, stagger))
      let stream: TurnStream | undefined
      let naive: Naive | undefined
      let timer: ReturnType<typeof setInterval> | undefined
      if (strategy === "switchboard") {
        stream = new TurnStream({ outbox, thread: s.thread, capabilities: caps, log: silentLogger, render: () => s.turn.blocks() })
      } else {
        naive = new Naive(adapter, s, caps, strategy === "interval_500ms")
        if (strategy === "interval_500ms") timer = setInterval(() => void naive!.update(), 500)
      }
      s.firstDeltaAt = Date.now()
      while (s.turn.advance()) {
        const { chunks, formatted } = chunksOf(s.turn, caps)
        s.book.add(Date.now(), chunks, markerOf(formatted))
        if (stream) stream.touch()
        else if (strategy === "every_delta") void naive!.update()
        await new Promise((r) => setTimeout(r, DELTA_MS))
      }
      if (stream) await stream.finish()
      else {
        clearInterval(timer)
        await new Promise((r) => setTimeout(r, 600))
        await naive!.update() // one last try, as such bots do
      }
    }
    let settled = false
    void Promise.all(running).then(() => (settled = true))
    while (!settled) await clock.tickAsync(250)
    await clock.tickAsync(2_000)
    await outbox.stop()
    return account(adapter, sessions, budgetLimit(profile), Date.now())
  } finally {
    clock.uninstall()
  }
}

/** What people saw, when, and what it cost, from the fake platform's record of calls. */
function account(adapter: MemoryAdapter, sessions: Session[], limit: PlatformLimit, end: number): DeliveryFigures {
  let faithful = 0
  let maxFirst = 0
  const stale: number[] = []
  const spans: KeyedSpan[] = []
  const accepted: AcceptedCall[] = []
  const keyOf = (ref: string) => (limit.scope === "channel" ? adapter.scopeOf(ref).channel : adapter.scopeOf(ref).workspace)
  for (const c of adapter.calls) {
    // The fake records a call when it answers, after its latency; the budget was taken on arrival.
    if (c.ok && c.op !== "ephemeral") accepted.push({ key: keyOf(c.ref), at: c.at - LATENCY_MS, op: c.op as ChatOp })
  }
  for (const s of sessions) {
    const shown = adapter.visible(s.thread).map((m) => m.text)
    const expected = s.book.final
    if (shown.length === expected.length && shown.every((t, i) => t === expected[i])) faithful++
    // Each message of the thread by post order; a call's text is visible once the call returns.
    const index = new Map<string, number>()
    const seen: Shown[] = []
    for (const c of adapter.calls) {
      if (!c.ok || c.text === undefined || !c.ref.startsWith(`${s.thread}:`)) continue
      if (c.op === "post") index.set(c.ref, index.size)
      const message = index.get(c.ref)
      if (message !== undefined) seen.push({ at: c.at, message, text: c.text })
    }
    const first = seen.find((v) => v.text.length > 0)
    if (first) maxFirst = Math.max(maxFirst, first.at - s.firstDeltaAt)
    stale.push(...staleness(s.book, seen, end))
    for (const span of dirtySpans(s.book, seen, end)) spans.push({ key: keyOf(s.thread), from: span.from, to: span.to, op: span.op })
  }
  const budget = budgetUse(limit, spans, accepted)
  return {
    fidelity: faithful / sessions.length,
    budgetUse: budget.allowed > 0 ? budget.sent / budget.allowed : 1,
    budgetSent: budget.sent,
    budgetAllowed: budget.allowed,
    rateLimited: adapter.calls.filter((c) => !c.ok && c.error === "rate_limited").length,
    p95StalenessMs: percentile(stale, 95),
    maxFirstTextMs: maxFirst,
    calls: adapter.calls.filter((c) => c.ok).length,
    limit,
  }
}
