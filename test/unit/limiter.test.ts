// The limiters: a rule without a burst spaces calls evenly; a rule with one lets `burst`
// calls go at once and still never puts more than `max` in any sliding window; `ready` tells
// whether a call would start now.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { Limiters } from "../../src/delivery/limiter.ts"

const scope = { channel: "c1", workspace: "w1" }

function maxInWindow(starts: number[], windowMs: number): number {
  let best = 0
  for (let i = 0; i < starts.length; i++) {
    let n = 0
    for (let j = i; j < starts.length && starts[j]! - starts[i]! < windowMs; j++) n++
    best = Math.max(best, n)
  }
  return best
}

describe("limiters", () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it("a burst goes at once, and no window ever holds more than max", async () => {
    const limiters = new Limiters([{ scope: "workspace", ops: ["stream-start"], max: 10, perMs: 1_000, burst: 4 }])
    const starts: number[] = []
    const t0 = Date.now()
    const all = Array.from({ length: 30 }, (_, i) => limiters.schedule("stream-start", scope, "stream", async () => void starts.push(Date.now() - t0), `thread${i}`))
    await vi.advanceTimersByTimeAsync(10_000)
    await Promise.all(all)
    expect(starts).toHaveLength(30)
    expect(starts.filter((t) => t < 50)).toHaveLength(4)
    expect(maxInWindow(starts, 1_000)).toBeLessThanOrEqual(10)
    await limiters.stop()
  })

  it("without a burst, calls are spaced by perMs / max", async () => {
    const limiters = new Limiters([{ scope: "workspace", ops: ["edit"], max: 5, perMs: 1_000 }])
    const starts: number[] = []
    const t0 = Date.now()
    const all = Array.from({ length: 10 }, (_, i) => limiters.schedule("edit", scope, "stream", async () => void starts.push(Date.now() - t0), `thread${i}`))
    await vi.advanceTimersByTimeAsync(5_000)
    await Promise.all(all)
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(200)
    await limiters.stop()
  })

  it("ready: true while the bucket has room, false once it is empty or paused", async () => {
    vi.useRealTimers() // nothing here waits: the burst is spent at once
    const limiters = new Limiters([{ scope: "workspace", ops: ["stream-start"], max: 4, perMs: 60_000, burst: 2 }])
    expect(await limiters.ready("stream-start", scope)).toBe(true)
    expect(await limiters.ready("post", scope)).toBe(true) // no rule covers it
    await Promise.all([limiters.schedule("stream-start", scope, "stream", async () => {}), limiters.schedule("stream-start", scope, "stream", async () => {})])
    expect(await limiters.ready("stream-start", scope)).toBe(false)
    expect(await limiters.ready("stream-start", { channel: "c9", workspace: "w2" })).toBe(true)
    limiters.pause({ channel: "c9", workspace: "w2" }, "workspace", 5_000)
    expect(await limiters.ready("post", { channel: "c9", workspace: "w2" })).toBe(false)
    await limiters.stop()
  })
})

describe("limiter priorities", () => {
  it("a workspace budget serves an interaction before typing queued ahead of it", async () => {
    const limiters = new Limiters([{ scope: "workspace", ops: ["post", "typing"], max: 20, perMs: 1_000 }])
    const order: string[] = []
    const jobs = Array.from({ length: 12 }, (_, i) => limiters.schedule("typing", { channel: `c${i}`, workspace: "w1" }, "typing", async () => void order.push("typing"), `t${i}`))
    jobs.push(limiters.schedule("post", { channel: "c99", workspace: "w1" }, "interaction", async () => void order.push("post"), "t99"))
    await Promise.all(jobs)
    // At most the few calls already started go first.
    expect(order.indexOf("post")).toBeLessThanOrEqual(5)
    await limiters.stop()
  })
})
