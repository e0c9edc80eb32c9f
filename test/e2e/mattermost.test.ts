// Mattermost end to end: the real OpenCode server, the real @mattermost/client, the fake
// Mattermost server, and the relay wired from config exactly as `switchboard start` does.
// Assertions read what people see in the fake: posts, edits, buttons, ephemeral notes.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { formatBlocks } from "../../src/delivery/render/format.ts"
import { turnBlocks } from "../../src/delivery/render/turn-blocks.ts"
import { splitMarkdown } from "../../src/delivery/split-markdown.ts"
import { bash, question, text } from "../harness/model-server/index.ts"
import { startMattermostRelay, type MattermostRelay } from "../harness/mattermost-relay.ts"
import { sampleAnswer } from "../harness/text.ts"
import { deferred } from "../harness/wait.ts"


describe("Mattermost with buttons", () => {
  let h: MattermostRelay
  beforeAll(async () => {
    h = await startMattermostRelay({ timeoutSeconds: 3 })
    await h.start()
  })
  afterAll(async () => {
    await h?.close()
  })

  it("a mention opens a thread whose answer grows in place and ends as the agent's answer, split across posts", async () => {
    const answer = sampleAnswer(60) // ~6 KB: more than two 3,000-character posts
    // The model pauses mid-answer until the first post is visible, so it must grow in place.
    const gate = deferred()
    const marker = h.model.script([text(answer, { chunk: 20, delayMs: 2 })], { afterChunks: 60, wait: gate.promise })
    const root = h.say(h.alice, `@switchboard ${marker} explain everything`)
    const done = h.turnFinished(root.id)
    await h.mm.waitFor(() => h.botPosts(root.id).length > 0, { what: "the first answer post" })
    gate.resolve()
    await done
    const posts = h.botPosts(root.id)
    const binding = h.relay.repos.bindings.get(`mattermost:${h.channel.team_id}:${h.channel.id}:${root.id}`)!
    const turn = h.relay.repos.db.prepare("SELECT * FROM turns WHERE session_id = ?").get(binding.sessionID) as { user_message_id: string; started_at: number }
    const store = h.relay.store
    const session = store.session(binding.sessionID)!
    const blocks = turnBlocks({ session, messages: store.turn(binding.sessionID, turn.user_message_id), startedAt: turn.started_at, ended: true, verbosity: "essential" })
    const expected = splitMarkdown(formatBlocks(blocks, "gfm"), { limit: 16_383 - 64, soft: 3_000 })
    expect(expected.length).toBeGreaterThan(1)
    expect(posts.map((p) => p.message)).toEqual(expected)
    expect(posts.every((p) => p.root_id === root.id)).toBe(true)
    expect(posts.map((p) => p.message).join("\n\n")).toContain("Paragraph 60:")
    expect(posts.some((p) => p.edit_at > 0)).toBe(true) // grew in place
  })

  it("a permission becomes buttons: only an approver's click counts, forged callbacks are refused", async () => {
    const marker = h.model.script([bash("echo from-mattermost"), text("The command printed from-mattermost.")])
    const root = h.say(h.bob, `@switchboard ${marker} run it`)
    const ask = await h.mm.waitFor(() => h.buttonsIn(root.id), { what: "permission buttons" })
    expect(ask.post.message).toContain("$ echo from-mattermost")
    expect(ask.actions.map((a) => a.name)).toEqual(["Allow once", "Always here", "Reject"])
    const allow = ask.actions[0]!.id

    // A forged callback: a real context with a tampered signature.
    const url = h.mm.callbackUrlOf(ask.post.id, allow)
    const context = h.mm.contextOf(ask.post.id, allow) as Record<string, unknown>
    const forged = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: h.carol.id, post_id: ask.post.id, channel_id: h.channel.id, trigger_id: "forged1", type: "button", context: { ...context, sig: "00".repeat(32) } }),
    })
    expect(forged.status).toBe(401)
    const garbage = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" })
    expect(garbage.status).toBe(400)

    // Neither bob, who asked, nor alice may answer: carol is the approver.
    await h.mm.click(ask.post.id, allow, h.alice.id)
    expect(h.mm.ephemerals(h.alice.id).at(-1)?.message).toBe("Only an approver can answer this request.")
    await h.mm.click(ask.post.id, allow, h.bob.id)
    expect(h.mm.ephemerals(h.bob.id).at(-1)?.message).toBe("Only an approver can answer this request.")
    expect(h.relay.store.pending().permissions).toHaveLength(1)

    // A double click: both reach the relay before the buttons are gone; one answer counts.
    const done = h.turnFinished(root.id)
    await Promise.all([h.mm.click(ask.post.id, allow, h.carol.id), h.mm.click(ask.post.id, allow, h.carol.id)])
    expect(h.mm.ephemerals(h.carol.id).map((p) => p.message)).toEqual(["This was already answered by @carol."])
    await done
    const closed = h.mm.post(ask.post.id)!
    expect(closed.message).toContain("Allowed once by @carol")
    expect((closed.props as { attachments?: unknown[] }).attachments ?? []).toEqual([])
    expect(h.botPosts(root.id).map((p) => p.message).join("\n")).toContain("The command printed from-mattermost.")
    const replies = h.model.requests.filter((r) => r.marker === marker)
    expect(replies).toHaveLength(2) // the tool ran once; the model answered once
  })

  it("with no answer the request is rejected at the deadline and the post says so", async () => {
    const marker = h.model.script([bash("echo nobody-answers"), text("Understood, not running it.")])
    const root = h.say(h.alice, `@switchboard ${marker} go`)
    const ask = await h.mm.waitFor(() => h.buttonsIn(root.id), { what: "buttons" })
    const done = h.turnFinished(root.id)
    await done
    expect(h.mm.post(ask.post.id)!.message).toContain("Nobody answered within 3 s; rejected automatically.")
    const messages = h.model.requests.filter((r) => r.marker === marker)
    expect(JSON.stringify(messages.at(-1)!.body.messages)).toMatch(/timed out/)
  })

  it("files posted with a mention reach the agent, and the thread shows typing while it works", async () => {
    const marker = h.model.script([text("Got the spec: the widget must spin.", { chunk: 2, delayMs: 20 })])
    const spec = h.mm.uploadAs(h.alice.id, h.channel.id, { name: "spec.md", mime: "text/markdown", data: "# Spec\n\nThe widget must spin clockwise." })
    const root = h.mm.postAs(h.alice.id, { channel_id: h.channel.id, message: `@switchboard ${marker} read the spec`, file_ids: [spec.id] })
    await h.turnFinished(root.id)
    expect(JSON.stringify(h.model.requests.find((r) => r.marker === marker)!.body.messages.at(-1))).toContain("The widget must spin clockwise.")
    expect(h.mm.typingEvents().some((e) => e.userId === h.mm.bot.id && e.parentId === root.id)).toBe(true)
    expect(h.botPosts(root.id).at(-1)!.message).toContain("Got the spec: the widget must spin.")
  })

  it("in a DM every message is for the bot, answered at the top level, one session for the DM", async () => {
    const dm = h.mm.directChannel(h.alice.id, h.mm.bot.id)
    const first = h.model.script([text("Hello in the DM.")])
    h.mm.postAs(h.alice.id, { channel_id: dm.id, message: `${first} hi there` })
    await h.mm.waitFor(() => h.mm.posts({ channelId: dm.id }).some((p) => p.user_id === h.mm.bot.id && p.message.includes("Hello in the DM.")), { what: "the DM answer" })
    const second = h.model.script([text("Still the same session.")])
    h.mm.postAs(h.alice.id, { channel_id: dm.id, message: `${second} and again` })
    await h.mm.waitFor(() => h.mm.posts({ channelId: dm.id }).some((p) => p.message.includes("Still the same session.") && /_fake-model/.test(p.message)), { what: "the second DM answer" })
    const bot = h.mm.posts({ channelId: dm.id }).filter((p) => p.user_id === h.mm.bot.id)
    expect(bot.every((p) => p.root_id === "")).toBe(true)
    // The second prompt carried the first exchange: one session for the DM.
    expect(JSON.stringify(h.model.requests.find((r) => r.marker === second)!.body.messages)).toContain("Hello in the DM.")
  })

  it("posts made while the WebSocket was down are each handled exactly once after reconnect", async () => {
    const first = h.model.script([text("Thread one.")])
    const root = h.say(h.alice, `@switchboard ${first} start`)
    await h.turnFinished(root.id)
    h.mm.setSocketsRefused(true)
    h.mm.dropSockets()
    await h.mm.waitFor((f) => f.connections(f.bot.id) === 0, { what: "the bot's socket to drop" })
    const markers = [h.model.script([text("Missed A.")]), h.model.script([text("Missed B.")]), h.model.script([text("Missed C.")])]
    const roots = [h.say(h.alice, `@switchboard ${markers[0]} a`), h.say(h.bob, `@switchboard ${markers[1]} b`)]
    h.say(h.alice, `${markers[2]} follow-up while down`, root.id)
    h.mm.setSocketsRefused(false)
    await h.mm.waitFor(() => roots.every((r) => h.botPosts(r.id).some((p) => p.message.includes("Missed"))) && h.botPosts(root.id).some((p) => p.message.includes("Missed C.")), {
      timeoutMs: 30_000,
      what: "answers to the missed posts",
    })
    for (const m of markers) expect(h.model.requests.filter((r) => r.marker === m)).toHaveLength(1)
    for (const r of roots) expect(h.botPosts(r.id).filter((p) => p.message.startsWith("Missed"))).toHaveLength(1)
  })

  it("the server's rate limiter switched on mid-stream: the answer still ends complete and correct", async () => {
    const answer = sampleAnswer(30)
    const gate = deferred()
    const marker = h.model.script([text(answer, { chunk: 8, delayMs: 4 })], { afterChunks: 40, wait: gate.promise })
    const root = h.say(h.alice, `@switchboard ${marker} stream`)
    await h.mm.waitFor(() => h.botPosts(root.id).length > 0, { what: "the first post" })
    h.mm.setRateLimit({ perSec: 1, maxBurst: 1 })
    const before = h.mm.stats()
    const done = h.turnFinished(root.id)
    gate.resolve()
    await done
    h.mm.setRateLimit(false)
    const shown = h.botPosts(root.id).map((p) => p.message).join("\n\n")
    expect(shown).toContain(answer.slice(-200))
    expect(shown.replace(/\n\n_fake-model.*$/s, "")).toBe(answer)
    // The limiter was really in the way: edits went on under it, paced by its headers (and any
    // 429 was waited out); at most a stray one was refused.
    const after = h.mm.stats()
    expect(after.edits - before.edits).toBeGreaterThan(1)
    expect(after.rateLimited - before.rateLimited).toBeLessThanOrEqual(2)
  })
})

describe("Mattermost without a public URL: reactions approve", () => {
  let h: MattermostRelay
  beforeAll(async () => {
    h = await startMattermostRelay({ buttons: false, timeoutSeconds: 3 })
    await h.start()
  })
  afterAll(async () => {
    await h?.close()
  })

  it("✅ from an approver approves; from the requester it is refused; no reaction ⇒ rejected at the deadline", async () => {
    const marker = h.model.script([bash("echo by-reaction"), text("Ran by reaction.")])
    const root = h.say(h.alice, `@switchboard ${marker} go`)
    const ask = await h.mm.waitFor(() => h.botPosts(root.id).find((p) => p.message.startsWith("🔐")), { what: "the permission post" })
    expect(ask.message).toContain("React ✅ once, ♾️ always here or ❌ reject")
    // The bot offers the answers as its own reactions, so people click instead of typing names;
    // its own reactions answer nothing.
    const offered = () => h.mm.reactions(ask.id).filter((r) => r.user_id === h.mm.bot.id).map((r) => r.emoji_name)
    await h.mm.waitFor(() => offered().length === 3, { what: "the bot's reactions on the request" })
    expect(offered()).toEqual(["white_check_mark", "infinity", "x"])
    expect(h.relay.repos.interactions.byMessage(`mattermost:${h.channel.id}:${ask.id}`)?.state).toBe("open")
    expect(h.mm.post(ask.id)!.message).not.toContain("Allowed")
    expect(h.mm.ephemerals(h.alice.id)).toEqual([])
    h.mm.reactAs(h.alice.id, ask.id, "white_check_mark")
    await h.mm.waitFor(() => h.mm.ephemerals(h.alice.id).length > 0, { what: "alice's refusal" })
    expect(h.mm.ephemerals(h.alice.id).at(-1)!.message).toBe("Only an approver can answer this request.")
    const done = h.turnFinished(root.id)
    h.mm.reactAs(h.carol.id, ask.id, "white_check_mark")
    await done
    expect(h.mm.post(ask.id)!.message).toContain("Allowed once by @carol")
    expect(h.botPosts(root.id).map((p) => p.message).join("\n")).toContain("Ran by reaction.")

    const marker2 = h.model.script([bash("echo ignored"), text("Not run.")])
    const root2 = h.say(h.alice, `@switchboard ${marker2} again`)
    const ask2 = await h.mm.waitFor(() => h.botPosts(root2.id).find((p) => p.message.startsWith("🔐")), { what: "second permission post" })
    await h.turnFinished(root2.id)
    expect(h.mm.post(ask2.id)!.message).toContain("Nobody answered within 3 s; rejected automatically.")
  })

  it("a question's options are offered as number reactions; a person's click picks one", async () => {
    const marker = h.model.script([question("Which color?", ["Red", "Blue"]), text("Blue it is.")])
    const root = h.say(h.alice, `@switchboard ${marker} choose`)
    const ask = await h.mm.waitFor(() => h.botPosts(root.id).find((p) => p.message.includes("Which color?")), { what: "the question post" })
    const offered = () => h.mm.reactions(ask.id).filter((r) => r.user_id === h.mm.bot.id).map((r) => r.emoji_name)
    await h.mm.waitFor(() => offered().length === 2, { what: "the bot's number reactions" })
    expect(offered()).toEqual(["one", "two"])
    const done = h.turnFinished(root.id)
    h.mm.reactAs(h.carol.id, ask.id, "two")
    await done
    expect(h.mm.post(ask.id)!.message).toContain("Answered “Blue” by @carol")
  })
})
