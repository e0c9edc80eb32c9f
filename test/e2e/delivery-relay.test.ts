// Delivery end to end: the real OpenCode server streams a long answer (code fences, a tool
// call that asks permission in the middle) through the relay into the in-memory platform
// under a rate budget; what a person sees at the end is exactly the final render.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { turnEnded } from "../../src/core/store/status.ts"
import { formatBlocks } from "../../src/delivery/render/format.ts"
import { turnBlocks } from "../../src/delivery/render/turn-blocks.ts"
import { splitMarkdown } from "../../src/delivery/split-markdown.ts"
import { bash, text } from "../harness/model-server/index.ts"
import { startRelayHarness, type RelayHarness } from "../harness/relay.ts"
import { sampleAnswer } from "../harness/text.ts"

describe("streaming a real turn into a rate-limited chat", () => {
  let h: RelayHarness
  beforeAll(async () => {
    h = await startRelayHarness({
      capabilities: {
        maxMessageLength: 2_000,
        softMessageLength: 1_800,
        rateRules: [{ scope: "channel", ops: ["post", "edit", "delete"], max: 8, perMs: 1_000 }],
      },
    })
  })
  afterAll(async () => {
    await h?.close()
  })

  it("a long answer with a permission in the middle ends as exactly the final render", async () => {
    const alice = h.user("alice")
    const before = sampleAnswer(14)
    const after = sampleAnswer(18)
    const marker = h.model.script([bash("echo build ok", { text: before, delayMs: 1 }), text(after, { chunk: 10, delayMs: 2 })])
    const { thread } = await h.mention(alice, `${marker} build it and explain`)
    await h.waitFor(() => h.adapter.visible(thread).some((m) => m.text.startsWith("Paragraph 1:")), "the answer's first message")
    const ask = await h.waitFor(() => h.actionMessage(thread), "the permission buttons")
    expect(ask.text).toContain("Permission needed:")
    expect(ask.text).toContain("$ echo build ok")
    const once = ask.actions!.find((a) => a.label === "Allow once")!
    expect(await h.click(alice, thread, ask.ref, once.id)).toEqual({})

    const turn = await h.turnDone(thread)
    expect(turn.state).toBe("done")
    const store = h.relay.store
    const session = store.session(turn.sessionID)!
    expect(turnEnded(session, turn.userMessageID)).toBe(true)
    const blocks = turnBlocks({ session, messages: store.turn(turn.sessionID, turn.userMessageID), startedAt: turn.startedAt, ended: true, verbosity: "essential" })
    // Segments: what came before the permission message, and what came after it.
    const firstAfter = blocks.findIndex((b) => b.kind === "text" && b.text === after)
    const expected = [
      ...splitMarkdown(formatBlocks(blocks.slice(0, firstAfter), "gfm"), { limit: 2_000, soft: 1_800 }),
      ...splitMarkdown(formatBlocks(blocks.slice(firstAfter), "gfm"), { limit: 2_000, soft: 1_800 }),
    ]
    const visible = h.adapter.visible(thread)
    const answerMessages = visible.filter((m) => !m.text.startsWith("🔐"))
    expect(answerMessages.map((m) => m.text)).toEqual(expected)
    // The permission message sits between the two segments, closed and without buttons.
    const askIndex = visible.findIndex((m) => m.ref === ask.ref)
    expect(askIndex).toBeGreaterThan(0)
    expect(askIndex).toBeLessThan(visible.length - 1)
    expect(visible[askIndex]!.actions).toBeUndefined()
    expect(visible[askIndex]!.text).toContain("✅ Allowed once by @alice")
    // What a person reads: the model's words, the tool line, the footer.
    const transcript = h.transcript(thread)
    expect(transcript).toContain("✅ `$ echo build ok`")
    expect(transcript).toMatch(/_fake-model · [\d.]+s · [\d.k]+ tokens · \$[\d.]+_$/)
    for (const m of visible) expect(m.text.length).toBeLessThanOrEqual(2_000)
    // It grew in place: the answer's messages were edited while the text streamed.
    expect(answerMessages.reduce((n, m) => n + m.edits, 0)).toBeGreaterThan(0)
    expect(h.adapter.rateLimited).toBe(0)
  })
})
