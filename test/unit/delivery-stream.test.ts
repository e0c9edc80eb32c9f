// Delivery under platform-like budgets, with a fake clock: a long streamed turn ends with
// exactly the final render, never over the length limit, never tripping the platform's
// limiter; rate-limit storms and 5xx errors change nothing in the result.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { MemoryAdapter, type MemoryFaults } from "../../adapters/memory/adapter.ts"
import { silentLogger } from "../../src/log/logger.ts"
import { Outbox } from "../../src/delivery/outbox.ts"
import { TurnStream } from "../../src/delivery/turn-stream.ts"
import { formatBlocks } from "../../src/delivery/render/format.ts"
import { splitMarkdown } from "../../src/delivery/split-markdown.ts"
import { profiles, type ProfileName } from "../harness/budget-profiles.ts"
import { SyntheticTurn } from "../harness/synthetic-turn.ts"

async function streamTurn(profile: ProfileName, opts: { size: number; faults?: MemoryFaults }) {
  const caps = profiles[profile]
  const adapter = new MemoryAdapter({ capabilities: caps, ...(opts.faults ? { faults: opts.faults } : {}), latencyMs: 30 })
  const outbox = new Outbox({ adapter, log: silentLogger, retry: { baseMs: 200, maxMs: 2_000, attempts: 50 } })
  const thread = adapter.thread()
  const turn = new SyntheticTurn({ size: opts.size, delta: 40 })
  const stream = new TurnStream({ outbox, thread, render: () => turn.blocks(), capabilities: caps, log: silentLogger })
  while (turn.advance()) {
    stream.touch()
    await vi.advanceTimersByTimeAsync(25) // a delta every 25 ms
  }
  const streamEnded = Date.now()
  const done = stream.finish()
  await vi.advanceTimersByTimeAsync(10 * 60_000)
  const result = await done
  const expected = splitMarkdown(formatBlocks(turn.blocks(), caps.markdown), { limit: caps.maxMessageLength, ...(caps.softMessageLength ? { soft: caps.softMessageLength } : {}) })
  await outbox.stop()
  return { adapter, thread, result, expected, stats: outbox.stats, streamEnded }
}

describe("delivery of a long streamed turn", () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  for (const profile of ["discord", "slack", "mattermost"] as const) {
    it(`${profile}-like budget: exactly the final render, within limits, no rate-limit error`, async () => {
      const { adapter, thread, result, expected, stats, streamEnded } = await streamTurn(profile, { size: 30_000 })
      const shown = adapter.visible(thread).map((m) => m.text)
      expect(result.complete).toBe(true)
      expect(shown).toEqual(expected)
      expect(expected.length).toBeGreaterThan(1)
      expect(adapter.rateLimited).toBe(0)
      expect(stats.rateLimited).toBe(0)
      for (const call of adapter.calls) expect(call.text?.length ?? 0).toBeLessThanOrEqual(profiles[profile].maxMessageLength)
      // The answer was visible while it grew, not only at the end.
      const whileStreaming = adapter.calls.filter((c) => c.ok && c.at < streamEnded)
      expect(whileStreaming.length).toBeGreaterThan(expected.length / 2)
    })
  }

  it("a rate-limit storm and 5xx errors: still exactly the final render, nothing duplicated", async () => {
    const random = (() => {
      let x = 42
      return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    })()
    const { adapter, thread, result, expected, stats } = await streamTurn("discord", {
      size: 20_000,
      faults: { rateLimitRatio: 0.33, rateLimitRetryAfterMs: 700, transientRatio: 0.1, random },
    })
    expect(result.complete).toBe(true)
    const shown = adapter.visible(thread).map((m) => m.text)
    for (let i = 0; i < expected.length; i++) if (shown[i] !== expected[i]) console.log(i, JSON.stringify(shown[i]?.slice(0, 80)), JSON.stringify(expected[i]?.slice(0, 80)), shown[i]?.length, expected[i]?.length)
    expect(shown).toEqual(expected)
    expect(adapter.visible(thread)).toHaveLength(expected.length) // no duplicate posts
    expect(stats.rateLimited).toBeGreaterThan(5)
    expect(stats.transientErrors).toBeGreaterThan(0)
  })
})
