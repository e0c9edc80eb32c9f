// Native streaming (ChatAdapter.stream) through TurnStream, on the memory platform with
// streams of its own limits and a fake clock: the answer streams by appends and ends showing
// the final render; refusals fall back to edits once per workspace with nothing posted twice;
// long answers continue in new streamed messages; what cannot append (a running tool) waits;
// an interaction seals the stream so the answer continues below it.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { MemoryAdapter } from "../../adapters/memory/adapter.ts"
import { RateLimitError } from "../../src/chat/errors.ts"
import type { ChatCapabilities } from "../../src/chat/types.ts"
import type { Block } from "../../src/delivery/render/blocks.ts"
import { Outbox } from "../../src/delivery/outbox.ts"
import { TurnStream } from "../../src/delivery/turn-stream.ts"
import { silentLogger } from "../../src/log/logger.ts"
import { SyntheticTurn } from "../harness/synthetic-turn.ts"

const caps: Partial<ChatCapabilities> = {
  maxMessageLength: 4_000,
  rateRules: [
    { scope: "channel", ops: ["post", "edit"], max: 5, perMs: 5_000 },
    { scope: "workspace", ops: ["stream-start", "stream-stop"], max: 20, perMs: 60_000, burst: 5 },
    { scope: "workspace", ops: ["stream"], max: 100, perMs: 60_000 },
  ],
}

/** A scripted answer: what the model was told to say, revealed a delta at a time. */
class Script {
  shown = 0
  tool: "none" | "running" | "done" = "none"
  ended = false
  readonly before: string
  readonly after: string
  readonly withTool: boolean
  constructor(before: string, after = "", withTool = false) {
    this.before = before
    this.after = after
    this.withTool = withTool
  }
  advance(step: number): boolean {
    if (this.shown < this.before.length) this.shown = Math.min(this.before.length, this.shown + step)
    else if (this.withTool && this.tool === "none") this.tool = "running"
    else if (this.withTool && this.tool === "running") this.tool = "done"
    else if (this.shown < this.before.length + this.after.length) this.shown = Math.min(this.before.length + this.after.length, this.shown + step)
    else return false
    return true
  }
  blocks(): Block[] {
    const out: Block[] = [{ kind: "text", key: "t1", text: this.before.slice(0, this.shown), catchingUp: false }]
    if (this.tool !== "none") out.push({ kind: "tool", key: "k1", tool: "bash", status: this.tool === "running" ? "running" : "done", title: "$ npm test" })
    if (this.shown > this.before.length) out.push({ kind: "text", key: "t2", text: this.after.slice(0, this.shown - this.before.length), catchingUp: false })
    if (this.ended) out.push({ kind: "footer", key: "footer", model: "m1", durationMs: 1_000, tokens: 0, cost: 0 })
    return out
  }
}

function paragraphs(n: number, seed = "word"): string {
  return Array.from({ length: n }, (_, i) => `Paragraph ${i}: ${Array.from({ length: 30 }, (_, j) => `${seed}${(i * 7 + j) % 13}`).join(" ")}.`).join("\n\n")
}

async function run(adapter: MemoryAdapter, script: Script, opts: { outbox?: Outbox; step?: number; thread?: string } = {}) {
  const outbox = opts.outbox ?? new Outbox({ adapter, log: silentLogger, retry: { baseMs: 100, maxMs: 1_000, attempts: 20 } })
  const thread = opts.thread ?? adapter.thread()
  const stream = new TurnStream({ outbox, thread, render: () => script.blocks(), capabilities: adapter.capabilities, log: silentLogger, recipient: { user: "U1", workspace: "w1" } })
  while (script.advance(opts.step ?? 40)) {
    stream.touch()
    await vi.advanceTimersByTimeAsync(50)
  }
  script.ended = true
  const done = stream.finish()
  await vi.advanceTimersByTimeAsync(10 * 60_000)
  return { result: await done, outbox, thread, stream }
}

const ops = (adapter: MemoryAdapter, ok = true) => adapter.calls.filter((c) => c.ok === ok).map((c) => c.op)

describe("native streaming", () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it("streams the answer by appends and ends showing it with the footer: no post, no edit", async () => {
    const adapter = new MemoryAdapter({ capabilities: caps, streaming: { maxAppend: 500, maxTotal: 12_000 } })
    const answer = paragraphs(6)
    const { result, thread } = await run(adapter, new Script(answer))
    expect(result.complete).toBe(true)
    const shown = adapter.visible(thread).map((m) => m.text)
    expect(shown).toHaveLength(1)
    expect(shown[0]).toBe(`${answer}\n\n_m1 · 1.0s_`)
    const calls = ops(adapter)
    expect(calls.filter((o) => o === "stream-start")).toHaveLength(1)
    expect(calls.filter((o) => o === "stream").length).toBeGreaterThanOrEqual(2)
    expect(calls.filter((o) => o === "stream-stop")).toHaveLength(1)
    expect(calls).not.toContain("post")
    expect(calls).not.toContain("edit")
    expect(adapter.streamsOpened[0]!.recipient).toEqual({ user: "U1", workspace: "w1" })
    // While it streamed, the message only ever grew: every append is the next piece of the answer.
    const appended = adapter.calls.filter((c) => c.ok && (c.op === "stream-start" || c.op === "stream")).map((c) => c.text).join("")
    expect(answer.startsWith(appended)).toBe(true)
  })

  it("a workspace that refuses streams: edits instead, one message, and the refusal is remembered", async () => {
    const adapter = new MemoryAdapter({ capabilities: caps, streaming: { maxAppend: 500, maxTotal: 12_000, refused: true } })
    const answer = paragraphs(4)
    const first = await run(adapter, new Script(answer))
    expect(first.result.complete).toBe(true)
    expect(adapter.visible(first.thread).map((m) => m.text)).toEqual([`${answer}\n\n_m1 · 1.0s_`])
    expect(ops(adapter, false)).toEqual(["stream-start"])
    expect(ops(adapter).filter((o) => o === "post")).toHaveLength(1)
    // The next answer in the same workspace does not ask again.
    const second = await run(adapter, new Script(paragraphs(2, "again")), { outbox: first.outbox })
    expect(second.result.complete).toBe(true)
    expect(ops(adapter, false)).toEqual(["stream-start"])
  })

  it("a long answer continues in new streamed messages, each within the limits, none repeating another", async () => {
    const adapter = new MemoryAdapter({ capabilities: { ...caps, maxMessageLength: 3_000 }, streaming: { maxAppend: 400, maxTotal: 12_000 } })
    const answer = paragraphs(80)
    // About 400 characters a second, as a fast model writes: the streams keep up.
    const { result, thread } = await run(adapter, new Script(answer), { step: 20 })
    expect(result.complete).toBe(true)
    const shown = adapter.visible(thread).map((m) => m.text)
    expect(shown.length).toBeGreaterThan(3)
    for (const text of shown) expect(text.length).toBeLessThanOrEqual(3_000)
    // What a person reads, in order, is the answer: the messages joined are the scripted text.
    expect(shown.join("\n\n")).toBe(`${answer}\n\n_m1 · 1.0s_`)
    expect(adapter.calls.filter((c) => c.op === "stream-start" && c.ok)).toHaveLength(shown.length)
    // Only the footer needed a final update: no edit while it streamed.
    expect(ops(adapter)).not.toContain("edit")
    // Nothing showed that later moved: each message's streamed text begins its final text.
    const streamed = new Map<string, string>()
    for (const c of adapter.calls) if (c.ok && (c.op === "stream-start" || c.op === "stream")) streamed.set(c.ref, (streamed.get(c.ref) ?? "") + (c.text ?? ""))
    expect(streamed.size).toBe(shown.length)
    for (const [ref, text] of streamed) expect(adapter.messages.get(ref)!.text.startsWith(text)).toBe(true)
  })

  it("an answer with code fences and a tool, 30,000 characters: every message balanced, the whole answer shown", async () => {
    const adapter = new MemoryAdapter({ capabilities: { ...caps, maxMessageLength: 3_000 }, streaming: { maxAppend: 400, maxTotal: 12_000 } })
    const turn = new SyntheticTurn({ size: 30_000, delta: 20 })
    const outbox = new Outbox({ adapter, log: silentLogger })
    const thread = adapter.thread()
    const stream = new TurnStream({ outbox, thread, render: () => turn.blocks(), capabilities: adapter.capabilities, log: silentLogger })
    while (turn.advance()) {
      stream.touch()
      await vi.advanceTimersByTimeAsync(50)
    }
    const done = stream.finish()
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect((await done).complete).toBe(true)
    const shown = adapter.visible(thread).map((m) => m.text)
    for (const text of shown) {
      expect(text.length).toBeLessThanOrEqual(3_000)
      expect((text.match(/^```/gm) ?? []).length % 2).toBe(0)
    }
    // Every word the turn said is shown, in order (fences reopened across messages aside).
    const words = (t: string) => t.replace(/```(ts)?/g, " ").split(/\s+/).filter(Boolean)
    expect(words(shown.join("\n\n"))).toEqual(words(`${turn.before}\n\n✅ \`$ npm test\`\n\n${turn.after}\n\n_fake-model · 12.3s · 4.3k tokens · $0.01_`))
    expect(ops(adapter).filter((o) => o === "stream-start").length).toBe(shown.length)
  })

  it("a running tool waits: its line streams once it is done, in order", async () => {
    const adapter = new MemoryAdapter({ capabilities: caps, streaming: { maxAppend: 500, maxTotal: 12_000 } })
    const script = new Script("First part.", "Second part after the tool.", true)
    const outbox = new Outbox({ adapter, log: silentLogger })
    const thread = adapter.thread()
    const stream = new TurnStream({ outbox, thread, render: () => script.blocks(), capabilities: adapter.capabilities, log: silentLogger })
    script.shown = script.before.length
    stream.touch()
    await vi.advanceTimersByTimeAsync(2_000)
    script.tool = "running"
    stream.touch()
    await vi.advanceTimersByTimeAsync(2_000)
    expect(adapter.visible(thread).map((m) => m.text)).toEqual(["First part."])
    script.tool = "done"
    stream.touch()
    await vi.advanceTimersByTimeAsync(2_000)
    expect(adapter.visible(thread).map((m) => m.text)).toEqual(["First part.\n\n✅ `$ npm test`"])
    script.shown = script.before.length + script.after.length
    script.ended = true
    const done = stream.finish()
    await vi.advanceTimersByTimeAsync(60_000)
    expect((await done).complete).toBe(true)
    expect(adapter.visible(thread).map((m) => m.text)).toEqual(["First part.\n\n✅ `$ npm test`\n\nSecond part after the tool.\n\n_m1 · 1.0s_"])
    expect(ops(adapter)).not.toContain("edit")
  })

  it("an interaction seals the stream: the answer so far is above the request, the rest below it", async () => {
    const adapter = new MemoryAdapter({ capabilities: caps, streaming: { maxAppend: 500, maxTotal: 12_000 } })
    const script = new Script("Before the question.", "After the answer.", true)
    const outbox = new Outbox({ adapter, log: silentLogger })
    const thread = adapter.thread()
    const stream = new TurnStream({ outbox, thread, render: () => script.blocks(), capabilities: adapter.capabilities, log: silentLogger })
    script.shown = script.before.length
    stream.touch()
    await vi.advanceTimersByTimeAsync(2_000)
    script.tool = "running"
    stream.seal()
    outbox.slot({ thread, priority: "interaction", label: "request" }).set({ text: "🔐 Permission needed" })
    await vi.advanceTimersByTimeAsync(5_000)
    script.tool = "done"
    script.shown = script.before.length + script.after.length
    stream.touch()
    await vi.advanceTimersByTimeAsync(5_000)
    script.ended = true
    const done = stream.finish()
    await vi.advanceTimersByTimeAsync(60_000)
    expect((await done).complete).toBe(true)
    expect(adapter.visible(thread).map((m) => m.text)).toEqual(["Before the question.\n\n✅ `$ npm test`", "🔐 Permission needed", "After the answer.\n\n_m1 · 1.0s_"])
  })

  it("rate limits on appends lose nothing; a stream that breaks mid-answer continues by edits in the same message", async () => {
    const adapter = new MemoryAdapter({ capabilities: caps, streaming: { maxAppend: 300, maxTotal: 12_000 } })
    const answer = paragraphs(8)
    const script = new Script(answer)
    const outbox = new Outbox({ adapter, log: silentLogger, retry: { baseMs: 100, maxMs: 1_000, attempts: 20 } })
    const thread = adapter.thread()
    const stream = new TurnStream({ outbox, thread, render: () => script.blocks(), capabilities: adapter.capabilities, log: silentLogger })
    let n = 0
    while (script.advance(60)) {
      if (++n === 5) adapter.refuseNext(new RateLimitError("memory", 1_500, "workspace"))
      if (n === 20) {
        // The platform ends the stream on its own (e.g. it expired): the next append fails.
        const live = [...adapter.messages.values()].find((m) => m.streaming)
        if (live) delete live.streaming
      }
      stream.touch()
      await vi.advanceTimersByTimeAsync(50)
    }
    script.ended = true
    const done = stream.finish()
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect((await done).complete).toBe(true)
    expect(adapter.visible(thread).map((m) => m.text)).toEqual([`${answer}\n\n_m1 · 1.0s_`])
    expect(outbox.stats.rateLimited).toBe(1)
    expect(ops(adapter)).toContain("edit")
    expect(ops(adapter)).not.toContain("post")
  })

  it("the first message is posted plainly when no stream can open at once", async () => {
    const adapter = new MemoryAdapter({
      capabilities: { ...caps, rateRules: [{ scope: "workspace", ops: ["stream-start", "stream-stop"], max: 2, perMs: 60_000, burst: 1 }] },
      streaming: { maxAppend: 500, maxTotal: 12_000 },
    })
    const outbox = new Outbox({ adapter, log: silentLogger })
    // Two answers at once in one workspace: the bucket holds one opening; the second posts.
    const a = new Script(paragraphs(2, "alpha"))
    const b = new Script(paragraphs(2, "beta"))
    const ta = adapter.thread("c1")
    const tb = adapter.thread("c2")
    const sa = new TurnStream({ outbox, thread: ta, render: () => a.blocks(), capabilities: adapter.capabilities, log: silentLogger })
    const sb = new TurnStream({ outbox, thread: tb, render: () => b.blocks(), capabilities: adapter.capabilities, log: silentLogger })
    a.advance(40)
    sa.touch()
    await vi.advanceTimersByTimeAsync(300)
    b.advance(40)
    sb.touch()
    await vi.advanceTimersByTimeAsync(300)
    expect(adapter.visible(tb)).toHaveLength(1) // visible at once, not after a minute
    while (a.advance(40) || b.advance(40)) {
      sa.touch()
      sb.touch()
      await vi.advanceTimersByTimeAsync(50)
    }
    a.ended = b.ended = true
    const done = Promise.all([sa.finish(), sb.finish()])
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    for (const r of await done) expect(r.complete).toBe(true)
    expect(adapter.visible(ta).map((m) => m.text)).toEqual([`${a.before}\n\n_m1 · 1.0s_`])
    expect(adapter.visible(tb).map((m) => m.text)).toEqual([`${b.before}\n\n_m1 · 1.0s_`])
    expect(adapter.calls.filter((c) => c.op === "stream-start" && c.ok)).toHaveLength(1)
  })
})
