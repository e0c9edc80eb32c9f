// The benchmark's delivery accounting (bench/accounting.ts) and the memory platform's own
// limits (adapters/memory/budget.ts): what counts as seen, as changed, and as allowed.
import { describe, expect, it } from "vitest"
import { PlatformLimiter, type PlatformLimit } from "../../adapters/memory/budget.ts"
import { VersionBook, budgetUse, capacity, dirtySpans, markerOf, staleness, union } from "../../bench/accounting.ts"

const scope = { channel: "c1", workspace: "w1" }

describe("PlatformLimiter", () => {
  it("enforces a sliding window and says when the next call passes", () => {
    const l = new PlatformLimiter([{ scope: "channel", ops: ["edit"], kind: "window", max: 2, perMs: 1_000, source: "test" }])
    expect(l.take("edit", scope, 0).ok).toBe(true)
    expect(l.take("edit", scope, 10).ok).toBe(true)
    const refused = l.take("edit", scope, 500)
    expect(refused).toMatchObject({ ok: false, retryAfterMs: 500, scope: "channel" })
    expect(l.earliest("edit", scope, 500)).toBe(1_000)
    expect(l.take("edit", { channel: "c2", workspace: "w1" }, 500).ok).toBe(true) // another channel
    expect(l.take("post", scope, 500).ok).toBe(true) // an op the limit does not count
    expect(l.take("edit", scope, 1_000).ok).toBe(true)
  })

  it("lets a GCRA burst through, then the sustained rate", () => {
    const l = new PlatformLimiter([{ scope: "workspace", ops: ["edit"], kind: "gcra", max: 10, perMs: 1_000, burst: 3, source: "test" }])
    for (let i = 0; i < 4; i++) expect(l.take("edit", scope, 0).ok).toBe(true)
    expect(l.take("edit", scope, 0).ok).toBe(false)
    expect(l.earliest("edit", scope, 0)).toBe(100)
    expect(l.take("edit", scope, 100).ok).toBe(true)
    expect(l.take("edit", scope, 150).ok).toBe(false)
  })

  it("records a call only when every limit allows it", () => {
    const l = new PlatformLimiter([
      { scope: "channel", ops: ["edit"], kind: "window", max: 5, perMs: 1_000, source: "test" },
      { scope: "workspace", ops: ["edit"], kind: "window", max: 1, perMs: 1_000, source: "test" },
    ])
    expect(l.take("edit", scope, 0).ok).toBe(true)
    for (let i = 0; i < 10; i++) expect(l.take("edit", scope, 1 + i).ok).toBe(false)
    expect(l.take("edit", scope, 1_000).ok).toBe(true) // the refused calls took nothing from the channel
  })
})

describe("staleness", () => {
  it("never credits a finished earlier message with text that went into a later one", () => {
    const book = new VersionBook()
    book.add(0, ["one"], "one")
    book.add(100, ["one two"], "two")
    book.add(200, ["one two", "three"], "three")
    book.add(300, ["one two", "three four"], "four")
    const shown = [
      { at: 50, message: 0, text: "one" },
      { at: 150, message: 0, text: "one two" },
      // Message 0 is edited again with the same text long after: it shows nothing newer.
      { at: 400, message: 0, text: "one two" },
      { at: 900, message: 1, text: "three four" },
    ]
    expect(staleness(book, shown, 1_000)).toEqual([50, 50, 700, 600])
  })

  it("does not count text that moved on to a message not shown yet", () => {
    const book = new VersionBook()
    book.add(0, ["alpha beta"], "beta")
    // The split moves "beta" into a new message; message 0's new text is newer but lacks it.
    book.add(100, ["alpha", "beta gamma"], "gamma")
    const shown = [{ at: 150, message: 0, text: "alpha" }]
    expect(staleness(book, shown, 1_000)).toEqual([1_000, 900])
  })

  it("ignores texts that were never rendered for that message", () => {
    const book = new VersionBook()
    book.add(0, ["a b"], "b")
    expect(staleness(book, [{ at: 10, message: 0, text: "something else b" }], 500)).toEqual([500])
  })

  it("takes a line's last characters as the marker, without a tool's status icon", () => {
    expect(markerOf("para one\n\n⏳ `$ npm test`\n")).toBe("`$ npm test`")
    expect(markerOf("x".repeat(100))).toBe("x".repeat(40))
  })
})

describe("budget accounting", () => {
  const window: PlatformLimit = { scope: "channel", ops: ["post", "edit"], kind: "window", max: 5, perMs: 5_000, source: "test" }

  it("finds when a message's newest text differed from what it showed, as post then edit", () => {
    const book = new VersionBook()
    book.add(0, ["a"], "a")
    book.add(100, ["ab"], "b")
    book.add(200, ["ab"], "b")
    const spans = dirtySpans(book, [{ at: 50, message: 0, text: "a" }, { at: 300, message: 0, text: "ab" }], 1_000)
    expect(spans).toEqual([
      { message: 0, from: 0, to: 50, op: "post" },
      { message: 0, from: 100, to: 300, op: "edit" },
    ])
  })

  it("keeps a message that never shows its final text dirty until the end", () => {
    const book = new VersionBook()
    book.add(0, ["a"], "a")
    expect(dirtySpans(book, [], 700)).toEqual([{ message: 0, from: 0, to: 700, op: "post" }])
  })

  it("counts the most calls a limit allows within spans", () => {
    expect(capacity(window, [{ from: 0, to: 1 }])).toBe(5) // the whole window at once
    expect(capacity(window, [{ from: 0, to: 5_001 }])).toBe(10)
    expect(capacity(window, [{ from: 0, to: 1 }, { from: 2_000, to: 2_001 }])).toBe(5)
    const gcra: PlatformLimit = { scope: "workspace", ops: ["edit"], kind: "gcra", max: 10, perMs: 1_000, burst: 100, source: "test" }
    expect(capacity(gcra, [{ from: 0, to: 1_000 }])).toBe(110) // 101 at once, then one per 100 ms
    expect(union([{ from: 5, to: 9 }, { from: 0, to: 6 }, { from: 20, to: 20 }])).toEqual([{ from: 0, to: 9 }])
  })

  it("never exceeds 1: only calls inside the spans count, against what the limit allowed there", () => {
    const spans = [{ key: "c1", from: 0, to: 1_000, op: "edit" as const }]
    const calls = [0, 10, 20, 2_000].map((at) => ({ key: "c1", at, op: "edit" as const }))
    expect(budgetUse(window, spans, calls)).toEqual({ sent: 3, allowed: 5 })
    const posts = [{ key: "c1", from: 0, to: 1_000, op: "post" as const }]
    const slackEdits: PlatformLimit = { ...window, ops: ["edit"] }
    expect(budgetUse(slackEdits, posts, calls)).toEqual({ sent: 0, allowed: 0 }) // a post the limit does not count
  })
})
