// The bot's own reactions (the answers a request offers where reactions are how people click):
// through the limiters like every call, a 429 or a transient error tried again a few times,
// then given up with a log line; never an unhandled rejection.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { MemoryAdapter } from "../../adapters/memory/adapter.ts"
import { ChatError, RateLimitError } from "../../src/chat/errors.ts"
import { answerReactions } from "../../src/core/interactions/service.ts"
import { DEFAULT_REACTIONS } from "../../src/core/interactions/choices.ts"
import { Outbox, REACT_ATTEMPTS } from "../../src/delivery/outbox.ts"
import type { Logger } from "../../src/log/logger.ts"

function recordingLog() {
  const warnings: unknown[][] = []
  const log: Logger = {
    debug() {},
    info() {},
    error() {},
    warn: (...args: unknown[]) => void warnings.push(args),
    child: () => log,
  } as unknown as Logger
  return { log, warnings }
}

const onePerSecond = { rateRules: [{ scope: "channel" as const, ops: ["post" as const, "edit" as const, "react" as const], max: 1, perMs: 1_000 }] }

describe("Outbox.react", () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it("adds the reaction after the thread's post, within the rate rules", async () => {
    const adapter = new MemoryAdapter({ capabilities: onePerSecond })
    const { log, warnings } = recordingLog()
    const outbox = new Outbox({ adapter, log })
    const thread = adapter.thread()
    const slot = outbox.slot({ thread, priority: "interaction" })
    slot.set({ text: "🔐 may I?" })
    await vi.advanceTimersByTimeAsync(10)
    await slot.settled()
    const added = outbox.react(slot.ref!, "white_check_mark", thread)
    const second = outbox.react(slot.ref!, "x", thread)
    await vi.advanceTimersByTimeAsync(3_000)
    expect(await added).toBe(true)
    expect(await second).toBe(true)
    expect(adapter.reactions).toEqual([{ ref: slot.ref, emoji: "white_check_mark" }, { ref: slot.ref, emoji: "x" }])
    const at = adapter.calls.map((c) => c.at)
    expect(adapter.calls.map((c) => c.op)).toEqual(["post", "react", "react"])
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(1_000) // one call per second in the channel
    expect(warnings).toEqual([])
    await outbox.stop()
  })

  it("a 429 pauses the bucket and the reaction goes after it", async () => {
    const adapter = new MemoryAdapter()
    const outbox = new Outbox({ adapter, log: recordingLog().log })
    adapter.refuseNext(new RateLimitError("memory", 2_000, "channel"))
    const ref = `${adapter.thread()}:m1`
    const added = outbox.react(ref, "infinity")
    await vi.advanceTimersByTimeAsync(1_900)
    expect(adapter.reactions).toEqual([])
    await vi.advanceTimersByTimeAsync(500)
    expect(await added).toBe(true)
    expect(adapter.reactions).toEqual([{ ref, emoji: "infinity" }])
    expect(outbox.stats.rateLimited).toBe(1)
    await outbox.stop()
  })

  it("transient failures are tried again a bounded number of times, then logged", async () => {
    const adapter = new MemoryAdapter({ faults: { transientRatio: 1 } })
    const { log, warnings } = recordingLog()
    const outbox = new Outbox({ adapter, log, retry: { baseMs: 100, maxMs: 1_000 } })
    const added = outbox.react(`${adapter.thread()}:m1`, "x")
    await vi.advanceTimersByTimeAsync(60_000)
    expect(await added).toBe(false)
    expect(adapter.calls.filter((c) => c.op === "react")).toHaveLength(REACT_ATTEMPTS)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]![1]).toMatch(/could not add a reaction/)
    await outbox.stop()
  })

  it("a refusal that is not transient is logged at once; no adapter support, nothing tried", async () => {
    const adapter = new MemoryAdapter()
    const { log, warnings } = recordingLog()
    const outbox = new Outbox({ adapter, log })
    adapter.refuseNext(new ChatError("memory", "invalid", "not an emoji name"))
    const added = outbox.react(`${adapter.thread()}:m1`, "??")
    await vi.advanceTimersByTimeAsync(100)
    expect(await added).toBe(false)
    expect(adapter.calls).toHaveLength(1)
    expect(warnings).toHaveLength(1)
    const bare = new Outbox({ adapter: Object.assign(Object.create(adapter) as MemoryAdapter, { react: undefined }), log })
    expect(await bare.react(`${adapter.thread()}:m2`, "x")).toBe(false)
    await outbox.stop()
    await bare.stop()
  })
})

describe("answerReactions", () => {
  const permission = { kind: "permission", request: { id: "per_1" } } as unknown as Parameters<typeof answerReactions>[0]
  const question = (options: number, multiple = false, questions = 1) =>
    ({
      kind: "question",
      request: { id: "que_1", questions: Array.from({ length: questions }, () => ({ question: "?", multiple, options: Array.from({ length: options }, (_, i) => ({ label: `o${i}` })) })) },
    }) as unknown as Parameters<typeof answerReactions>[0]

  it("once, always, reject for a permission: the first name of each", () => {
    expect(answerReactions(permission, DEFAULT_REACTIONS)).toEqual(["white_check_mark", "infinity", "x"])
    expect(answerReactions(permission, { ...DEFAULT_REACTIONS, once: ["thumbsup"] })).toEqual(["thumbsup", "infinity", "x"])
  })

  it("one number per option of a single question, up to nine", () => {
    expect(answerReactions(question(3), DEFAULT_REACTIONS)).toEqual(["one", "two", "three"])
    expect(answerReactions(question(9), DEFAULT_REACTIONS)).toHaveLength(9)
    expect(answerReactions(question(10), DEFAULT_REACTIONS)).toEqual([])
    expect(answerReactions(question(3, true), DEFAULT_REACTIONS)).toEqual([])
    expect(answerReactions(question(3, false, 2), DEFAULT_REACTIONS)).toEqual([])
  })
})
