// Delivery under platform-shaped budgets, on a fake clock (so minutes of streaming take
// seconds): many synthetic turns stream into the in-memory platform, which enforces the
// budget like a strict server. Our outbox runs beside two naive baselines seen in the wild:
// an edit on every delta, and an edit every 500 ms. Figures per strategy: fidelity (final
// text right), budget use, rate-limit errors, p95 staleness, and the longest wait for first text.
import FakeTimers from "@sinonjs/fake-timers"
import { MemoryAdapter } from "../adapters/memory/adapter.ts"
import type { ChatCapabilities, MessageRef, ThreadRef } from "../src/chat/types.ts"
import { Outbox } from "../src/delivery/outbox.ts"
import { formatBlocks } from "../src/delivery/render/format.ts"
import { splitMarkdown } from "../src/delivery/split-markdown.ts"
import { TurnStream } from "../src/delivery/turn-stream.ts"
import { silentLogger } from "../src/log/logger.ts"
import { profiles, type ProfileName } from "../test/harness/budget-profiles.ts"
import { SyntheticTurn } from "../test/harness/synthetic-turn.ts"

export type Strategy = "switchboard" | "every_delta" | "interval_500ms"

export interface DeliveryFigures {
  fidelity: number
  budgetUse: number
  rateLimited: number
  p95StalenessMs: number
  maxFirstTextMs: number
  calls: number
}

interface Session {
  thread: ThreadRef
  turn: SyntheticTurn
  /** Text of each rendered chunk → how many answer characters it had revealed. */
  revealOf: Map<string, number>
  deltas: Array<{ at: number; revealed: number }>
  expected: string[]
  firstDeltaAt: number
  lastDeltaAt: number
}

const DELTA_MS = 80 // ~300 characters a second, a brisk model
const LATENCY_MS = 40

function chunksOf(turn: SyntheticTurn, caps: ChatCapabilities): string[] {
  const soft = caps.softMessageLength !== undefined ? { soft: caps.softMessageLength } : {}
  return splitMarkdown(formatBlocks(turn.blocks(), caps.markdown), { limit: caps.maxMessageLength, ...soft })
}

function revealed(turn: SyntheticTurn): number {
  return turn.blocks().reduce((n, b) => n + (b.kind === "text" ? b.text.length : 0), 0)
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
      const chunks = chunksOf(this.s.turn, this.caps)
      for (const c of chunks) this.s.revealOf.set(c, revealed(this.s.turn))
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

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

export async function runDelivery(profile: ProfileName, strategy: Strategy, opts: { sessions: number; channels: number; size: number }): Promise<DeliveryFigures> {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"] })
  try {
    const caps = profiles[profile] as ChatCapabilities
    const adapter = new MemoryAdapter({ capabilities: caps, latencyMs: LATENCY_MS })
    const outbox = new Outbox({ adapter, log: silentLogger })
    const sessions: Session[] = []
    const running: Array<Promise<void>> = []
    for (let i = 0; i < opts.sessions; i++) {
      const turn = new SyntheticTurn({ size: opts.size, delta: 24, seed: 100 + i })
      const s: Session = { thread: adapter.thread(`c${i % opts.channels}`), turn, revealOf: new Map(), deltas: [], expected: [], firstDeltaAt: 0, lastDeltaAt: 0 }
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
        stream = new TurnStream({
          outbox,
          thread: s.thread,
          capabilities: caps,
          log: silentLogger,
          render: () => {
            const blocks = s.turn.blocks()
            const n = revealed(s.turn)
            for (const c of splitMarkdown(formatBlocks(blocks, caps.markdown), { limit: caps.maxMessageLength, ...(caps.softMessageLength ? { soft: caps.softMessageLength } : {}) })) s.revealOf.set(c, n)
            return blocks
          },
        })
      } else {
        naive = new Naive(adapter, s, caps, strategy === "interval_500ms")
        if (strategy === "interval_500ms") timer = setInterval(() => void naive!.update(), 500)
      }
      s.firstDeltaAt = Date.now()
      while (s.turn.advance()) {
        s.deltas.push({ at: Date.now(), revealed: revealed(s.turn) })
        if (stream) stream.touch()
        else if (strategy === "every_delta") void naive!.update()
        await new Promise((r) => setTimeout(r, DELTA_MS))
      }
      s.lastDeltaAt = Date.now()
      s.expected = chunksOf(s.turn, caps)
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

    // What people saw, when.
    let faithful = 0
    const staleness: number[] = []
    let maxFirst = 0
    for (const s of sessions) {
      const shown = adapter.visible(s.thread).map((m) => m.text)
      if (shown.length === s.expected.length && shown.every((t, i) => t === s.expected[i])) faithful++
      const visible: Array<{ at: number; revealed: number }> = []
      let best = 0
      for (const c of adapter.calls) {
        if (!c.ok || !c.ref.startsWith(s.thread) || c.text === undefined) continue
        best = Math.max(best, s.revealOf.get(c.text) ?? 0)
        visible.push({ at: c.at + LATENCY_MS, revealed: best })
      }
      const firstText = visible.find((v) => v.revealed > 0)
      if (firstText) maxFirst = Math.max(maxFirst, firstText.at - s.firstDeltaAt)
      for (const d of s.deltas) {
        const seenAt = visible.find((v) => v.revealed >= d.revealed)?.at
        staleness.push((seenAt ?? Date.now()) - d.at)
      }
    }
    return {
      fidelity: faithful / sessions.length,
      budgetUse: budgetUse(adapter, caps, sessions),
      rateLimited: adapter.rateLimited,
      p95StalenessMs: percentile(staleness, 95),
      maxFirstTextMs: maxFirst,
      calls: adapter.calls.filter((c) => c.ok).length,
    }
  } finally {
    clock.uninstall()
  }
}

/** Edits sent ÷ edits the tightest edit rule allowed while the text was changing, per bucket. */
function budgetUse(adapter: MemoryAdapter, caps: ChatCapabilities, sessions: Session[]): number {
  const rule = caps.rateRules.filter((r) => r.ops.includes("edit")).sort((a, b) => a.max / a.perMs - b.max / b.perMs)[0]
  if (!rule) return 1
  const buckets = new Map<string, { from: number; to: number; threads: Set<string> }>()
  for (const s of sessions) {
    const key = rule.scope === "channel" ? adapter.scopeOf(s.thread).channel : adapter.scopeOf(s.thread).workspace
    const b = buckets.get(key) ?? { from: Infinity, to: 0, threads: new Set<string>() }
    b.from = Math.min(b.from, s.firstDeltaAt)
    b.to = Math.max(b.to, s.lastDeltaAt)
    b.threads.add(s.thread)
    buckets.set(key, b)
  }
  let sent = 0
  let allowed = 0
  for (const b of buckets.values()) {
    allowed += (rule.max * (b.to - b.from)) / rule.perMs
    sent += adapter.calls.filter((c) => c.ok && rule.ops.includes(c.op as never) && c.at >= b.from && c.at <= b.to && [...b.threads].some((t) => c.ref.startsWith(t))).length
  }
  return allowed > 0 ? sent / allowed : 1
}
