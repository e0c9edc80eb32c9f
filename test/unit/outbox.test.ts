// Outbox slot rules with a fake clock: latest wins, unchanged text is not sent, interactions
// jump the queue, a deleted message continues in a new one, a 429 pauses the bucket.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { MemoryAdapter } from "../../adapters/memory/adapter.ts"
import { ChatError, RateLimitError } from "../../src/chat/errors.ts"
import { Outbox } from "../../src/delivery/outbox.ts"
import { silentLogger } from "../../src/log/logger.ts"

const oneEditPerSecond = { rateRules: [{ scope: "channel" as const, ops: ["post" as const, "edit" as const], max: 1, perMs: 1_000 }] }

describe("outbox slots", () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it("latest wins: many updates while a call is in flight become one follow-up with the newest text", async () => {
    const adapter = new MemoryAdapter({ capabilities: oneEditPerSecond, latencyMs: 200 })
    const outbox = new Outbox({ adapter, log: silentLogger })
    const slot = outbox.slot({ thread: adapter.thread() })
    slot.set({ text: "v1" })
    await vi.advanceTimersByTimeAsync(50)
    for (let i = 2; i <= 30; i++) slot.set({ text: `v${i}` })
    await vi.advanceTimersByTimeAsync(5_000)
    await slot.settled()
    expect(adapter.calls.filter((c) => c.ok).map((c) => `${c.op}:${c.text}`)).toEqual(["post:v1", "edit:v30"])
    slot.set({ text: "v30" }) // unchanged: nothing sent
    await vi.advanceTimersByTimeAsync(5_000)
    expect(adapter.calls).toHaveLength(2)
    await outbox.stop()
  })

  it("reads the content when the call runs, not when it was queued", async () => {
    const adapter = new MemoryAdapter({ capabilities: oneEditPerSecond })
    const outbox = new Outbox({ adapter, log: silentLogger })
    let text = "first"
    const slot = outbox.slot({ thread: adapter.thread() })
    slot.set(() => ({ text }))
    await vi.advanceTimersByTimeAsync(10)
    text = "second"
    slot.touch()
    text = "third" // changes without a touch are still picked up by the queued call
    await vi.advanceTimersByTimeAsync(3_000)
    expect(adapter.calls.map((c) => c.text)).toEqual(["first", "third"])
    await outbox.stop()
  })

  it("an interaction message jumps the queue of stream edits in the channel", async () => {
    const adapter = new MemoryAdapter({ capabilities: oneEditPerSecond, latencyMs: 20 })
    const outbox = new Outbox({ adapter, log: silentLogger })
    const thread = adapter.thread()
    const streams = [1, 2, 3, 4].map((i) => outbox.slot({ thread, label: `s${i}` }))
    streams.forEach((s, i) => s.set({ text: `stream ${i}` }))
    const ask = outbox.slot({ thread, priority: "interaction" })
    ask.set({ text: "Allow `rm -rf build`?", actions: [{ id: "a", label: "Allow once" }] })
    await vi.advanceTimersByTimeAsync(10_000)
    const order = adapter.calls.map((c) => c.text)
    expect(order.indexOf("Allow `rm -rf build`?"), order.join(" | ")).toBeLessThanOrEqual(1)
    await outbox.stop()
  })

  it("a message deleted by a person continues in a new message", async () => {
    const adapter = new MemoryAdapter()
    const outbox = new Outbox({ adapter, log: silentLogger })
    const thread = adapter.thread()
    const slot = outbox.slot({ thread })
    slot.set({ text: "hello" })
    await vi.advanceTimersByTimeAsync(100)
    await slot.settled()
    adapter.deleteByUser(slot.ref!)
    slot.set({ text: "hello world" })
    await vi.advanceTimersByTimeAsync(100)
    await slot.settled()
    expect(adapter.visible(thread).map((m) => m.text)).toEqual(["hello world"])
    expect(outbox.stats.continuations).toBe(1)
    await outbox.stop()
  })

  it("a 429 pauses the bucket for its retry-after, then the newest text goes", async () => {
    const adapter = new MemoryAdapter({ faults: { rateLimitRatio: 1, rateLimitRetryAfterMs: 2_000 } })
    const outbox = new Outbox({ adapter, log: silentLogger })
    const slot = outbox.slot({ thread: adapter.thread() })
    slot.set({ text: "a" })
    await vi.advanceTimersByTimeAsync(10)
    const attempts = adapter.calls.length
    expect(attempts).toBe(1)
    await vi.advanceTimersByTimeAsync(1_900)
    expect(adapter.calls.length).toBe(1) // paused: no hammering
    ;(adapter as unknown as { opts: { faults: object } }).opts.faults = {}
    slot.set({ text: "b" })
    await vi.advanceTimersByTimeAsync(500)
    await slot.settled()
    expect(adapter.calls.filter((c) => c.ok).map((c) => c.text)).toEqual(["b"])
    await outbox.stop()
  })

  it("a permanent refusal gives up on that version without retry storms", async () => {
    const adapter = new MemoryAdapter()
    const outbox = new Outbox({ adapter, log: silentLogger })
    const slot = outbox.slot({ thread: adapter.thread() })
    adapter.post = async () => {
      throw new ChatError("memory", "forbidden", "the bot may not post here")
    }
    slot.set({ text: "x" })
    await vi.advanceTimersByTimeAsync(60_000)
    await slot.settled()
    expect(slot.hasFailed).toBe(true)
    expect(outbox.stats.failures).toBe(1)
    await outbox.stop()
  })
})

describe("turn stream shutdown", () => {
  it("closing a stream while its final flush waits ends the flush instead of spinning", async () => {
    const { TurnStream } = await import("../../src/delivery/turn-stream.ts")
    const adapter = new MemoryAdapter({ capabilities: oneEditPerSecond, latencyMs: 50 })
    const outbox = new Outbox({ adapter, log: silentLogger })
    let n = 0
    const stream = new TurnStream({
      outbox,
      thread: adapter.thread(),
      capabilities: adapter.capabilities,
      log: silentLogger,
      render: () => [{ kind: "text", key: "t", text: `text ${++n}`, catchingUp: false }],
    })
    const flush = stream.finish()
    stream.close()
    // A spin would never let this timer fire; the flush must settle.
    const timer = new Promise((r) => setTimeout(() => r("timer"), 1_000))
    expect(await Promise.race([flush.then(() => "flush"), timer])).toBe("flush")
    await outbox.stop()
  })
})

describe("outbox failure policy", () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it("only transient failures are retried: a programming error gives up at once, a deleted thread stops its slots", async () => {
    const adapter = new MemoryAdapter()
    const gone: string[] = []
    const outbox = new Outbox({ adapter, log: silentLogger, onThreadGone: (t) => gone.push(t) })
    const thread = adapter.thread()
    adapter.refuseNext(new TypeError("cannot read properties of undefined"))
    const buggy = outbox.slot({ thread })
    buggy.set({ text: "one" })
    await vi.advanceTimersByTimeAsync(60_000)
    await buggy.settled()
    expect(adapter.calls.map((c) => c.ok)).toEqual([false]) // tried once, never again
    expect(buggy.hasFailed).toBe(true)

    const other = adapter.thread()
    adapter.refuseNext(new ChatError("memory", "not_found", "the thread is gone"))
    const first = outbox.slot({ thread: other })
    first.set({ text: "a" })
    await vi.advanceTimersByTimeAsync(1_000)
    await first.settled()
    const second = outbox.slot({ thread: other })
    second.set({ text: "b" })
    await second.settled()
    outbox.typing(other)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(gone).toEqual([other])
    expect(adapter.calls.filter((c) => c.ref.startsWith(other))).toHaveLength(1) // only the refused post
    await outbox.stop()
  })

  it("an upload: a 429 is waited out and tried again, a timeout is not (the file may have arrived)", async () => {
    const adapter = new MemoryAdapter()
    const outbox = new Outbox({ adapter, log: silentLogger })
    const thread = adapter.thread()
    const file = { name: "diff.patch", mime: "text/x-diff", data: new TextEncoder().encode("+ one line") }
    adapter.refuseNext(new RateLimitError("memory", 1_000, "channel"))
    const first = outbox.upload(thread, file, "the diff")
    await vi.advanceTimersByTimeAsync(2_000)
    expect(await first).toBeDefined()
    expect(adapter.visible(thread).filter((m) => m.file)).toHaveLength(1)
    adapter.refuseNext(new ChatError("memory", "transient", "timed out"))
    const second = outbox.upload(thread, file)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(await second).toBeUndefined()
    expect(adapter.calls.filter((c) => c.op === "upload").map((c) => c.ok)).toEqual([false, true, false])
    await outbox.stop()
  })
})
