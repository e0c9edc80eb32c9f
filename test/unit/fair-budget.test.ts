// A workspace-wide edit budget shared by ten answers streaming at once (Slack's chat.update,
// about 50 a minute for the whole workspace), enforced by the fake platform from Slack's
// published limits, not from the rules delivery paces itself by. Every thread shows its first
// text within seconds, keeps getting updates while it streams (no thread starves while
// another takes the budget), ends exactly with its final render, and the platform never had to
// refuse a call. An interaction posted meanwhile goes out ahead of the queued edits.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { MemoryAdapter } from "../../adapters/memory/adapter.ts"
import { Outbox } from "../../src/delivery/outbox.ts"
import { TurnStream } from "../../src/delivery/turn-stream.ts"
import { silentLogger } from "../../src/log/logger.ts"
import { profiles, publishedLimits } from "../harness/budget-profiles.ts"
import { SyntheticTurn } from "../harness/synthetic-turn.ts"

describe("fair budgets", () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it("10 threads on one workspace budget: first text within 10 s each, updates for all, no 429", async () => {
    const adapter = new MemoryAdapter({ capabilities: profiles.slack, limits: publishedLimits.slack, latencyMs: 80 })
    const outbox = new Outbox({ adapter, log: silentLogger })
    const t0 = Date.now()
    const threads = Array.from({ length: 10 }, (_, i) => {
      const thread = adapter.thread(`c${i}`)
      const turn = new SyntheticTurn({ size: 6_000, delta: 30, seed: i + 1 })
      const stream = new TurnStream({ outbox, thread, render: () => turn.blocks(), capabilities: adapter.capabilities, log: silentLogger })
      return { thread, turn, stream, firstAt: undefined as number | undefined, updates: [] as number[] }
    })
    adapter.onChange(() => {
      const call = adapter.calls.at(-1)!
      if (!call.ok) return
      const t = threads.find((x) => call.ref.startsWith(x.thread))
      if (!t) return
      t.firstAt ??= Date.now() - t0
      t.updates.push(Date.now() - t0)
    })
    // Streams for about 60 s of model output (30 characters every 300 ms), all at once.
    let interactionAt: number | undefined
    for (let step = 0; threads.some((t) => !t.turn.done); step++) {
      for (const t of threads) if (t.turn.advance()) t.stream.touch()
      if (step === 100) {
        interactionAt = Date.now()
        threads[9]!.stream.seal()
        outbox.slot({ thread: threads[9]!.thread, priority: "interaction", label: "request" }).set({ text: "🔐 Permission needed" })
      }
      await vi.advanceTimersByTimeAsync(300)
    }
    const streamedUntil = Date.now() - t0
    const done = Promise.all(threads.map((t) => t.stream.finish()))
    await vi.advanceTimersByTimeAsync(20 * 60_000)
    for (const r of await done) expect(r.complete).toBe(true)
    expect(adapter.rateLimited).toBe(0)
    for (const t of threads) {
      expect(t.firstAt).toBeLessThan(10_000)
      // Updates while streaming, spread over the whole stream rather than bunched at its end.
      const during = t.updates.filter((u) => u < streamedUntil)
      expect(during.length).toBeGreaterThanOrEqual(4)
      const gaps = during.slice(1).map((u, i) => u - during[i]!)
      expect(Math.max(...gaps)).toBeLessThan(30_000)
    }
    const request = adapter.calls.find((c) => c.ok && c.text === "🔐 Permission needed")!
    expect(request.at - interactionAt!).toBeLessThan(3_000)
  })
})
