// The Discord adapter driving the REAL discord.js 14 client against the in-repo fake Discord
// (test/harness/discord): assertions read what the fake stores (what a person would see), what
// it really answered (stats, requests) and what reaches the sink, never mocks. Every wait is
// event-driven; the identify throttle is turned off (identifyIntervalMs: 0) for re-identifies.
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { DiscordAdapter } from "../../adapters/discord/adapter.ts"
import { rejectsOnRateLimit } from "../../adapters/discord/client.ts"
import { commandJson } from "../../adapters/discord/commands.ts"
import { EXPIRED, NOT_SERVED } from "../../adapters/discord/inbound/interaction.ts"
import { stripMention } from "../../adapters/discord/inbound/message.ts"
import type { DiscordOptions } from "../../adapters/discord/options.ts"
import { decodeCustomId, encodeCustomId } from "../../adapters/discord/outbound.ts"
import type { Select } from "../../src/chat/types.ts"
import { decodeMessage, decodeThread, encodeMessage, encodeThread, snowflakeAt, snowflakeTime } from "../../adapters/discord/refs.ts"
import { inviteUrl, REQUIRED_BITS } from "../../adapters/discord/setup.ts"
import { ChatError, RateLimitError } from "../../src/chat/errors.ts"
import type { ActionEvent, ChatEvent, ChatReply, ChatSink, CommandEvent, CommandSpec, MessageEvent, ReactionEvent } from "../../src/chat/types.ts"
import { silentLogger } from "../../src/log/logger.ts"
import { startFakeDiscord, type ChannelRecord, type FakeDiscord, type FakeDiscordOptions, type GuildHandle, type Json, type RoleRecord, type UserHandle } from "../harness/discord/index.ts"

/** Collects what the adapter hands the core; `until` re-checks on every event. */
class Sink {
  readonly events: ChatEvent[] = []
  reply: (e: ChatEvent) => Promise<ChatReply | void> | ChatReply | void = () => undefined
  private readonly waiters = new Set<() => void>()

  readonly fn: ChatSink = async (e) => {
    this.events.push(e)
    for (const w of [...this.waiters]) w()
    return this.reply(e)
  }

  until<T>(pick: (events: ChatEvent[]) => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = pick(this.events)
        if (!v) return
        this.waiters.delete(check)
        clearTimeout(timer)
        resolve(v)
      }
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        const seen = this.events.map((e) => (e.kind === "message" ? `message "${e.text}"` : e.kind))
        reject(new Error(`timed out waiting for ${what}; sink saw: ${JSON.stringify(seen)}`))
      }, timeoutMs)
      this.waiters.add(check)
      check()
    })
  }

  message(text: string, timeoutMs?: number): Promise<MessageEvent> {
    return this.until((es) => es.find((e): e is MessageEvent => e.kind === "message" && e.text === text), `message "${text}"`, timeoutMs)
  }

  action(actionId: string): Promise<ActionEvent> {
    return this.until((es) => es.find((e): e is ActionEvent => e.kind === "action" && e.actionId === actionId), `action ${actionId}`)
  }

  get messages(): MessageEvent[] {
    return this.events.filter((e): e is MessageEvent => e.kind === "message")
  }
}

interface Harness {
  fake: FakeDiscord
  alice: UserHandle
  bob: UserHandle
  guild: GuildHandle
  ops: RoleRecord
  general: ChannelRecord
  forum: ChannelRecord
  adapter: DiscordAdapter
  sink: Sink
  close(): Promise<void>
}

async function harness(opts: { fake?: FakeDiscordOptions; adapter?: Partial<DiscordOptions> } = {}): Promise<Harness> {
  const fake = await startFakeDiscord(opts.fake)
  const alice = fake.addUser({ username: "alice", globalName: "Alice" })
  const bob = fake.addUser({ username: "bob" })
  const guild = fake.addGuild({ name: "core" })
  const ops = fake.addRole(guild, { name: "ops" })
  fake.addMember(guild, alice, { roles: [ops], nick: "Ali" })
  fake.addMember(guild, bob)
  const general = fake.addChannel(guild, { name: "general" })
  const forum = fake.addChannel(guild, { name: "ideas", type: "forum" })
  const adapter = new DiscordAdapter({ token: fake.bot.token, apiUrl: fake.apiUrl, log: silentLogger, identifyIntervalMs: 0, ...opts.adapter })
  const sink = new Sink()
  await adapter.start(sink.fn)
  return {
    fake,
    alice,
    bob,
    guild,
    ops,
    general,
    forum,
    adapter,
    sink,
    close: async () => {
      await adapter.stop()
      await fake.close()
    },
  }
}

let h: Harness

beforeEach(async () => {
  h = await harness()
})

afterEach(async () => {
  await h.close()
})

const failure = (p: Promise<unknown>) => p.then(() => expect.fail("expected a failure"), (e: unknown) => e)
const mention = (text: string) => `<@${h.fake.bot.id}> ${text}`
const idOf = (ref: string) => decodeMessage(ref).message

/** A session thread as a person starts it: a mention, then the core opens the thread. */
async function session(text: string): Promise<{ event: MessageEvent; thread: string }> {
  h.fake.postAs(h.alice, { channelId: h.general.id, content: mention(text) })
  const event = await h.sink.message(text)
  return { event, thread: await h.adapter.openThread(event.message, event.thread, event.text) }
}

describe("refs, options and payload rules", () => {
  it("thread and message refs round-trip; a thread's limiter scope is its own channel", () => {
    const thread = encodeThread({ guild: "1", channel: "2", thread: "3" })
    expect(thread).toBe("discord:1:2:3")
    expect(decodeThread(thread)).toEqual({ guild: "1", channel: "2", thread: "3" })
    expect(decodeThread("discord::9:")).toEqual({ guild: "", channel: "9", thread: "" })
    expect(decodeMessage(encodeMessage({ channel: "3", message: "4" }))).toEqual({ channel: "3", message: "4" })
    for (const bad of ["slack:1:2:3", "discord:1", "discord:1:2:3:4", "discord:1::3", "discord:a:2:3"]) expect(() => decodeThread(bad)).toThrow(ChatError)
    expect(() => decodeMessage("discord:3:")).toThrow(/no message id/)
    expect(h.adapter.scopeOf(thread)).toEqual({ channel: "3", workspace: "discord" })
    expect(h.adapter.scopeOf("discord::9:")).toEqual({ channel: "9", workspace: "discord" })
    expect(h.adapter.scopeOf("discord:3:4")).toEqual({ channel: "3", workspace: "discord" })
    const at = Date.UTC(2025, 0, 1)
    expect(snowflakeTime(snowflakeAt(at))).toBe(at)
  })

  it("options are checked; capabilities are Discord's", () => {
    const base = { token: "t", log: silentLogger }
    expect(() => new DiscordAdapter({ ...base, token: "" })).toThrow(/DISCORD_TOKEN/)
    expect(() => new DiscordAdapter({ ...base, token: "Bot abc" })).toThrow(/without the "Bot " prefix/)
    expect(() => new DiscordAdapter({ ...base, apiUrl: "https://discord.com/api/v10" })).toThrow(/before the version/)
    expect(() => new DiscordAdapter({ ...base, softMessageLength: 5000 })).toThrow(/softMessageLength/)
    expect(h.adapter.capabilities).toMatchObject({
      maxMessageLength: 1990,
      softMessageLength: 1900,
      buttons: true,
      selects: true,
      reactions: true,
      ephemeral: true,
      maxActions: 5,
      maxActionLabel: 80,
      maxEditAgeMs: 55 * 60 * 1000,
    })
    expect(h.adapter.capabilities.rateRules[0]).toEqual({ scope: "channel", ops: ["post", "edit", "delete", "upload"], max: 5, perMs: 5000 })
    expect(new DiscordAdapter({ ...base, components: false }).capabilities).toMatchObject({ buttons: false, selects: false })
  })

  it("custom ids carry our action id and the deadline within 100 characters; mentions strip", () => {
    const id = `sb:per_${"a".repeat(60)}:always`
    const custom = encodeCustomId(id, 1_900_000_000_000)
    expect(custom.length).toBeLessThanOrEqual(100)
    expect(decodeCustomId(custom)).toEqual({ id, expiresAt: 1_900_000_000_000 })
    expect(decodeCustomId("sb:per_x:once")).toEqual({ id: "sb:per_x:once" })
    expect(() => encodeCustomId("x".repeat(101))).toThrow(/custom_id/)
    expect(stripMention("<@42> deploy", "42")).toEqual({ text: "deploy", found: true })
    expect(stripMention("hey <@!42>, deploy <@&7>", "42", "7")).toEqual({ text: "hey deploy", found: true })
    expect(stripMention("<@421> no", "42").found).toBe(false)
    expect(rejectsOnRateLimit({ route: "/channels/:id/messages", method: "PATCH" } as never)).toBe(true)
    expect(rejectsOnRateLimit({ route: "/channels/:id/messages", method: "GET" } as never)).toBe(false)
    expect(rejectsOnRateLimit({ route: "/webhooks/:id/:token", method: "POST" } as never)).toBe(false)
    expect(inviteUrl("123")).toBe(`https://discord.com/oauth2/authorize?client_id=123&scope=bot+applications.commands&permissions=${REQUIRED_BITS}`)
    expect(REQUIRED_BITS).toBe(309237746752n)
  })
})

describe("inbound messages and threads", () => {
  it("a mention in a text channel starts a thread; openThread names it from the request; replies continue it", async () => {
    const { fake, alice, guild, general, ops, sink, adapter } = h
    const posted = fake.postAs(alice, { channelId: general.id, content: mention("fix the **build** please") })
    const ev = await sink.message("fix the **build** please")
    expect(ev).toMatchObject({
      platform: "discord",
      workspace: guild.id,
      channel: general.id,
      channelName: "general",
      space: "channel",
      thread: `discord:${guild.id}:${general.id}:${posted.id}`,
      message: `discord:${general.id}:${posted.id}`,
      id: posted.id,
      mentioned: true,
      threadStart: true,
      files: [],
      user: { id: alice.id, name: "alice", displayName: "Ali", isBot: false, groups: [ops.id, "ops"] },
    })
    const thread = await adapter.openThread(ev.message, ev.thread, ev.text)
    expect(thread).toBe(ev.thread)
    expect(fake.threads(general.id).map((t) => [t.id, t.name, t.type])).toEqual([[posted.id, "fix the build please", 11]])
    expect(await adapter.openThread(ev.message, ev.thread, "again")).toBe(thread) // idempotent
    const answer = await adapter.post(thread, { text: "on it" })
    expect(decodeMessage(answer).channel).toBe(posted.id)
    fake.postAs(alice, { channelId: posted.id, content: "more detail" })
    const reply = await sink.message("more detail")
    expect(reply).toMatchObject({ thread, channel: general.id, threadStart: false, mentioned: false, message: `discord:${posted.id}:${reply.id}` })
    expect(fake.messages(posted.id).map((m) => m.content)).toEqual(["on it", "more detail"])
  })

  it("a post into an announced thread nobody opened yet opens it first", async () => {
    h.fake.postAs(h.alice, { channelId: h.general.id, content: mention("quick question") })
    const ev = await h.sink.message("quick question")
    await h.adapter.post(ev.thread, { text: "answer" })
    expect(h.fake.threads(h.general.id).map((t) => t.name)).toEqual(["quick question"])
    expect(h.fake.messages(decodeThread(ev.thread).thread).map((m) => m.content)).toEqual(["answer"])
  })

  it("a forum post is the thread; DMs need no mention; the bot's own and unaddressed messages are not delivered", async () => {
    const { fake, alice, bob, guild, general, forum, sink, adapter } = h
    const post = fake.createThreadAs(alice, { channelId: forum.id, name: "Idea: dark mode", content: mention("draft it") })
    const ev = await sink.message("draft it")
    expect(ev).toMatchObject({ thread: `discord:${guild.id}:${forum.id}:${post.thread.id}`, channel: forum.id, channelName: "ideas", threadStart: false, mentioned: true })
    expect(await adapter.openThread(ev.message, ev.thread, "x")).toBe(ev.thread)
    await adapter.post(ev.thread, { text: "drafted" })
    expect(fake.messages(post.thread.id).map((m) => m.content)).toEqual(["draft it".replace(/^/, `<@${fake.bot.id}> `), "drafted"])

    const dm = fake.dm(alice)
    fake.postAs(alice, { channelId: dm.id, content: "hello there" })
    const direct = await sink.message("hello there")
    expect(direct).toMatchObject({ space: "direct", workspace: "", mentioned: true, threadStart: false, thread: `discord::${dm.id}:`, user: { id: alice.id, groups: [h.ops.id, "ops"] } })
    await adapter.post(direct.thread, { text: "hi alice" })
    expect(fake.messages(dm.id).map((m) => m.content)).toEqual(["hello there", "hi alice"])

    const ci = fake.addUser({ username: "ci-bot", bot: true })
    fake.addMember(guild, ci)
    await adapter.post(encodeThread({ guild: guild.id, channel: general.id, thread: "" }), { text: mention("talking to myself") })
    fake.postAs(bob, { channelId: general.id, content: "just chatting, no mention" })
    fake.postAs(ci, { channelId: general.id, content: mention("build failed") })
    const hook = fake.postAsWebhook({ channelId: general.id, content: mention("deploy from CI"), username: "deploy-hook" })
    fake.postAs(bob, { channelId: general.id, content: `<@&${guild.botRoleId}> via the role` })
    await sink.message("via the role")
    expect(sink.messages.map((e) => e.text)).toEqual(["draft it", "hello there", "build failed", "deploy from CI", "via the role"])
    expect(sink.messages.find((e) => e.text === "build failed")?.user).toMatchObject({ id: ci.id, isBot: true })
    expect(sink.messages.find((e) => e.text === "deploy from CI")?.user).toEqual({
      id: `webhook:${hook.author.id}`,
      name: "deploy-hook",
      displayName: "deploy-hook",
      isBot: true,
      webhook: true,
    })
  })

  it("honours the channel allow-list by name; threads follow their parent", async () => {
    await h.close()
    h = await harness({ adapter: { channels: ["#agents"] } })
    const agents = h.fake.addChannel(h.guild, { name: "agents" })
    await h.fake.waitFor(() => h.fake.stats().gateway.open === 1)
    h.fake.postAs(h.alice, { channelId: h.general.id, content: mention("not here") })
    h.fake.postAs(h.alice, { channelId: agents.id, content: mention("here") })
    const ev = await h.sink.message("here")
    const thread = await h.adapter.openThread(ev.message, ev.thread, "t")
    h.fake.postAs(h.alice, { channelId: decodeThread(thread).thread, content: "in the thread" })
    await h.sink.message("in the thread")
    expect(h.sink.messages.map((e) => e.text)).toEqual(["here", "in the thread"])
  })

  it("attachments download through readCapped (over the cap: too_large); uploads land in the thread", async () => {
    const { fake, alice, general, sink, adapter } = h
    fake.postAs(alice, { channelId: general.id, content: mention("look"), attachments: [{ name: "notes.md", data: "# notes\n", contentType: "text/markdown" }] })
    const ev = await sink.message("look")
    const [file] = ev.files
    expect(file).toMatchObject({ name: "notes.md", mime: "text/markdown", size: 8 })
    expect(new TextDecoder().decode(await file!.fetch({ maxBytes: 1024 }))).toBe("# notes\n")
    expect(await failure(file!.fetch({ maxBytes: 4 }))).toMatchObject({ code: "too_large" })
    const thread = await adapter.openThread(ev.message, ev.thread, "look")
    const ref = await adapter.upload(thread, { name: "diff.patch", mime: "text/x-diff", data: new TextEncoder().encode("+ added\n") }, "the patch")
    const shown = fake.message(decodeMessage(ref).channel, idOf(ref))!
    expect([shown.content, shown.attachments.map((a) => [a.filename, a.size])]).toEqual(["the patch", [["diff.patch", 8]]])
    const big = { name: "big.bin", mime: "application/octet-stream", data: new Uint8Array(11 * 1024 * 1024) }
    expect(await failure(adapter.upload(thread, big))).toMatchObject({ code: "too_large" })
  })
})

describe("outbound", () => {
  it("posts and edits within 2,000 characters; over is too_long; the agent's text pings nobody", async () => {
    const { fake, alice, general, guild, adapter } = h
    const top = encodeThread({ guild: guild.id, channel: general.id, thread: "" })
    const ok = await adapter.post(top, { text: "x".repeat(1990) })
    expect(fake.message(general.id, idOf(ok))?.content.length).toBe(1990)
    const long = "y".repeat(2001)
    expect(await failure(adapter.post(top, { text: long }))).toMatchObject({ code: "too_long", message: expect.stringMatching(/50035.*content: BASE_TYPE_MAX_LENGTH/) })
    expect(await failure(adapter.edit(ok, { text: long }))).toMatchObject({ code: "too_long" })
    const loud = await adapter.post(top, { text: `@everyone look <@${alice.id}> and @here` })
    expect(fake.message(general.id, idOf(loud))?.pings).toEqual({ users: [], roles: [], everyone: false, repliedUser: null })
    await adapter.edit(loud, { text: "@everyone again" })
    expect(fake.message(general.id, idOf(loud))?.pings.everyone).toBe(false)
    expect(fake.requests().filter((r) => r.route.startsWith("/channels/:channelId/messages")).every((r) => (r.body as Json | undefined)?.allowed_mentions !== undefined || r.method !== "POST")).toBe(true)
  })

  it("a real 429 is a RateLimitError with the retry time (channel or global); a 5xx is transient; old messages are too_old", async () => {
    const { fake, general, guild, adapter } = h
    const top = encodeThread({ guild: guild.id, channel: general.id, thread: "" })
    // More calls than one 5-per-5-s window holds: the bucket itself is not what this test is about.
    fake.setRateLimits({ messages: { limit: 50, windowMs: 5_000 } })
    const ref = await adapter.post(top, { text: "v1" })
    fake.forceRateLimit({ route: "PATCH /channels/", count: 1, retryAfterMs: 700 })
    const limited = await failure(adapter.edit(ref, { text: "v2" }))
    expect(limited).toBeInstanceOf(RateLimitError)
    expect(limited).toMatchObject({ scope: "channel", retryAfterMs: expect.any(Number) })
    expect((limited as RateLimitError).retryAfterMs).toBeGreaterThanOrEqual(700)
    expect(fake.stats().rateLimited.forced).toBe(1)
    fake.failNext({ route: "PATCH /channels/", status: 502 })
    expect(await failure(adapter.edit(ref, { text: "v4" }))).toMatchObject({ code: "transient", message: expect.stringMatching(/HTTP 502/) })
    fake.ageMessage(general.id, idOf(ref), 2 * 60 * 60 * 1000)
    let err: unknown
    for (let i = 0; i < 5 && !err; i++) err = await adapter.edit(ref, { text: `old ${i}` }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: "too_old", message: expect.stringMatching(/30046/) })
    await adapter.delete(ref)
    expect(await failure(adapter.edit(ref, { text: "gone" }))).toMatchObject({ code: "not_found" })
    // A global 429: every write waits it out, so the next ones are refused at once too (no request).
    fake.forceRateLimit({ route: "POST /channels/", count: 1, retryAfterMs: 300, global: true })
    expect(await failure(adapter.post(top, { text: "v3" }))).toMatchObject({ scope: "global" })
    expect(fake.stats().rateLimited).toMatchObject({ forced: 2, global: 0 })
  })

  it("typing, reactions out and in, private notes by DM, recent posts", async () => {
    const { fake, alice, bob, sink, adapter, guild } = h
    const { event, thread } = await session("go")
    const t = decodeThread(thread).thread
    await adapter.typing(thread)
    expect(fake.typing()).toMatchObject([{ userId: fake.bot.id, channelId: t, via: "rest" }])
    // Reactions are about 1 per 250 ms per channel (the outbox spaces them); here two come at once.
    fake.setRateLimits({ reactions: { limit: 10, windowMs: 1000 } })
    await adapter.react(event.message, "👀")
    await adapter.react(event.message, "white_check_mark")
    expect(fake.reactions(h.general.id, event.id).map((r) => [r.emoji, r.userIds])).toEqual([["👀", [fake.bot.id]], ["✅", [fake.bot.id]]])
    const ask = await adapter.post(thread, { text: "approve?" })
    fake.reactAs(bob, t, idOf(ask), "✅")
    const added = await sink.until((es) => es.find((e): e is ReactionEvent => e.kind === "reaction" && e.added), "reaction")
    expect(added).toMatchObject({ thread, message: ask, emoji: "✅", channel: h.general.id, workspace: guild.id, user: { id: bob.id, name: "bob" } })
    fake.unreactAs(bob, t, idOf(ask), "✅")
    const removed = await sink.until((es) => es.find((e): e is ReactionEvent => e.kind === "reaction" && !e.added), "reaction removed")
    expect(removed.id).not.toBe(added.id)
    expect(sink.events.filter((e) => e.kind === "reaction")).toHaveLength(2) // the bot's own are not delivered
    await adapter.ephemeral(thread, alice.id, "only you see this")
    const dm = fake.dm(alice)
    expect(fake.messages(dm.id).map((m) => m.content)).toEqual([`only you see this\n-# about <#${t}>`])
    // A refused request's thread was never opened: the note links to the message instead.
    fake.postAs(bob, { channelId: h.general.id, content: mention("let me in") })
    const refused = await sink.message("let me in")
    await adapter.ephemeral(refused.thread, bob.id, "not allowed")
    expect(fake.messages(fake.dm(bob).id).map((m) => m.content)).toEqual([`not allowed\n-# about https://discord.com/channels/${guild.id}/${h.general.id}/${refused.id}`])
    // Someone who accepts no DMs gets a reply that pings only them.
    fake.failNext({ route: "POST /users/@me/channels", status: 403 })
    await adapter.ephemeral(refused.thread, bob.id, "still not allowed")
    const reply = fake.messages(h.general.id).at(-1)!
    expect([reply.content, reply.reference?.message_id, reply.pings.users]).toEqual([`<@${bob.id}> still not allowed`, refused.id, [bob.id]])
    expect(fake.threads(h.general.id).map((x) => x.id)).toEqual([t])
    const since = Date.now() - 60_000
    const posts = await adapter.recentPosts(thread, since)
    expect(posts.map((p) => [p.ref, p.text])).toEqual([[ask, "approve?"]])
  })
})

describe("components", () => {
  const approval = (deadline?: number) => ({
    text: "Run `rm -rf build`?",
    actions: [
      { id: "sb:per_r1:once", label: "Allow once", style: "primary" as const },
      { id: "sb:per_r1:always", label: "Always here" },
      { id: "sb:per_r1:reject", label: "Reject", style: "danger" as const },
    ],
    ...(deadline ? { actionsExpireAt: deadline } : {}),
  })

  it("a click is acknowledged within 3 s, arrives as an action, and the responder answers through the interaction", async () => {
    const { fake, alice, bob, sink, adapter } = h
    const { thread } = await session("rm it")
    const t = decodeThread(thread).thread
    const deadline = Date.now() + 60_000
    const ref = await adapter.post(thread, approval(deadline))
    const shown = fake.message(t, idOf(ref))!
    const buttons = (shown.components[0]!.components as Json[]).map((c) => [c.label, c.style, decodeCustomId(String(c.custom_id)).id])
    expect(buttons).toEqual([["Allow once", 1, "sb:per_r1:once"], ["Always here", 2, "sb:per_r1:always"], ["Reject", 4, "sb:per_r1:reject"]])
    const patchesBefore = fake.stats().byRoute["PATCH /channels/:channelId/messages/:messageId"] ?? 0
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    let answered: () => void = () => {}
    const done = new Promise<void>((r) => (answered = r))
    sink.reply = async (e) => {
      if (e.kind !== "action") return
      await gate // the core takes its time: the click was acknowledged already
      await e.respond!.ephemeral("Allowed once.")
      await e.respond!.update!({ text: "✅ Allowed once by Ali" })
      answered()
    }
    const custom = String((shown.components[0]!.components as Json[])[0]!.custom_id)
    const click = await fake.click(alice, { channelId: t, messageId: idOf(ref), customId: custom })
    expect(click).toMatchObject({ status: "answered", callback: { type: 6 } })
    expect(click.callback!.latencyMs).toBeLessThan(3000)
    const ev = await sink.action("sb:per_r1:once")
    expect(ev).toMatchObject({ thread, message: ref, user: { id: alice.id, groups: [h.ops.id, "ops"] }, id: click.id })
    release()
    await done
    expect(fake.message(t, idOf(ref))?.content).toBe("✅ Allowed once by Ali")
    expect(fake.message(t, idOf(ref))?.components).toEqual([])
    expect(fake.ephemerals(alice).map((m) => m.content)).toEqual(["Allowed once."])
    expect(fake.ephemerals(bob)).toEqual([])
    expect(fake.stats().byRoute["PATCH /channels/:channelId/messages/:messageId"] ?? 0).toBe(patchesBefore)
    expect(fake.stats().byRoute).toMatchObject({ "PATCH /webhooks/:appId/:token/messages/:messageId": 1 })
  })

  it("a refusal rides in the answer to the click; an expired button never reaches the core", async () => {
    const { fake, bob, sink, adapter } = h
    const { thread } = await session("approve")
    const t = decodeThread(thread).thread
    sink.reply = (e) => (e.kind === "action" ? { ephemeral: "Only @alice can answer this request." } : undefined)
    const ref = await adapter.post(thread, approval(Date.now() + 60_000))
    const custom = (m: string) => String((fake.message(t, m)!.components[0]!.components as Json[])[0]!.custom_id)
    await fake.click(bob, { channelId: t, messageId: idOf(ref), customId: custom(idOf(ref)) })
    await fake.waitFor((f) => f.ephemerals(bob).length === 1, { what: "refusal" })
    expect(fake.ephemerals(bob).map((m) => m.content)).toEqual(["Only @alice can answer this request."])
    const stale = await adapter.post(thread, approval(Date.now() - 1000))
    await fake.click(bob, { channelId: t, messageId: idOf(stale), customId: custom(idOf(stale)) })
    await fake.waitFor((f) => f.ephemerals(bob).length === 2, { what: "expiry note" })
    expect(fake.ephemerals(bob).at(-1)?.content).toBe(EXPIRED)
    expect(sink.events.filter((e) => e.kind === "action")).toHaveLength(1)
  })

  it("string selects: one value, or several where the message allows", async () => {
    const { fake, alice, sink, adapter } = h
    const { thread } = await session("pick")
    const t = decodeThread(thread).thread
    const options = [{ value: "0", label: "Fast" }, { value: "1", label: "Safe" }, { value: "2", label: "Cheap" }]
    const one = await adapter.post(thread, { text: "Which mode?", select: { id: "sb:que_q1:select", placeholder: "Choose…", options } })
    const row = fake.message(t, idOf(one))!.components[0]!.components as Json[]
    expect(row[0]).toMatchObject({ type: 3, custom_id: "sb:que_q1:select", placeholder: "Choose…", min_values: 1, max_values: 1 })
    await fake.select(alice, { channelId: t, messageId: idOf(one), customId: "sb:que_q1:select", values: ["1"] })
    expect(await sink.action("sb:que_q1:select")).toMatchObject({ value: "1", values: ["1"], message: one })
    const multi: Select = { id: "sb:que_q2:select", placeholder: "Choose some", options, multiple: true }
    const many = await adapter.post(thread, { text: "Which ones?", select: multi })
    await fake.select(alice, { channelId: t, messageId: idOf(many), customId: "sb:que_q2:select", values: ["0", "2"] })
    expect(await sink.action("sb:que_q2:select")).toMatchObject({ value: "0", values: ["0", "2"] })
  })
})

describe("slash commands", () => {
  const specs: CommandSpec[] = [
    { name: "new", aliases: ["n"], summary: "Start a new session", usage: "new [first message]", argument: { name: "message", description: "What to do", required: false } },
    { name: "status", aliases: [], summary: "Show the session" },
    { name: "model", aliases: [], summary: "Pick a model", argument: { name: "id", description: "Model", required: true, choices: Array.from({ length: 30 }, (_, i) => `model-${i}`) } },
    { name: "Bad Name", aliases: [], summary: "not valid on Discord" },
  ]

  it("are registered per guild from the specs, acknowledged within 3 s, and answered privately", async () => {
    const { fake, alice, guild, sink, adapter } = h
    await adapter.registerCommands(specs)
    const registered = fake.commands(guild.id)
    expect(registered.map((c) => c.name)).toEqual(["new", "status", "model"])
    expect(registered[0]).toMatchObject({ description: "Start a new session", options: [{ type: 3, name: "message", description: "What to do", required: false }] })
    expect((registered[2]!.options as Json[])[0]).toMatchObject({ autocomplete: true, required: true })
    expect(commandJson({ name: "mode", aliases: [], summary: "m", argument: { name: "Which Mode", description: "", required: true, choices: ["a", "b"] } })?.options[0]).toMatchObject({
      name: "which-mode",
      choices: [{ name: "a", value: "a" }, { name: "b", value: "b" }],
    })
    const { thread } = await session("work")
    const t = decodeThread(thread).thread
    sink.reply = async (e) => {
      if (e.kind === "command" && e.name === "new") await e.respond!.ephemeral("Started a new session.")
    }
    const used = await fake.slashCommand(alice, { channelId: t, name: "new", options: { message: "refactor" } })
    expect(used.callback).toMatchObject({ type: 5, data: { flags: 64 } })
    expect(used.callback!.latencyMs).toBeLessThan(3000)
    const ev = await sink.until((es) => es.find((e): e is CommandEvent => e.kind === "command"), "command")
    expect(ev).toMatchObject({ name: "new", args: "refactor", thread, channel: h.general.id, user: { id: alice.id } })
    await fake.waitFor((f) => f.interaction(used.id)?.original?.content === "Started a new session.", { what: "private answer" })
    expect(fake.interaction(used.id)?.original).toMatchObject({ ephemeralTo: alice.id, loading: false })
    const quiet = await fake.slashCommand(alice, { channelId: t, name: "status" })
    await fake.waitFor((f) => f.interaction(quiet.id)?.original?.deleted === true, { what: "placeholder removed" })
    const ac = await fake.autocomplete(alice, { channelId: t, name: "model", focused: "id", options: { id: "model-2" } })
    expect(ac.choices?.map((c) => c.value)).toEqual(["model-2", "model-20", "model-21", "model-22", "model-23", "model-24", "model-25", "model-26", "model-27", "model-28", "model-29"])
    expect(sink.events.filter((e) => e.kind === "command").map((e) => (e as CommandEvent).name)).toEqual(["new", "status"])
  })

  it("in a channel it does not serve, a command gets a private refusal", async () => {
    await h.close()
    h = await harness({ adapter: { channels: ["agents"] } })
    await h.adapter.registerCommands(specs)
    const used = await h.fake.slashCommand(h.alice, { channelId: h.general.id, name: "status" })
    await h.fake.waitFor((f) => f.interaction(used.id)?.original?.content === NOT_SERVED, { what: "refusal" })
    expect(h.sink.events).toEqual([])
  })
})

describe("gateway gaps, start and doctor", () => {
  it("a dropped gateway resumes: what was said meanwhile arrives once", async () => {
    const { fake, alice, general, sink } = h
    const { thread } = await session("before")
    const t = decodeThread(thread).thread
    fake.dropGateway()
    fake.postAs(alice, { channelId: t, content: "while away" })
    fake.postAs(alice, { channelId: general.id, content: mention("top while away") })
    await sink.message("while away")
    await sink.message("top while away")
    fake.postAs(alice, { channelId: t, content: "after" })
    await sink.message("after")
    expect(fake.stats().gateway).toMatchObject({ identifies: 1, resumes: 1 })
    const ids = sink.messages.map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(sink.messages.filter((e) => e.thread === thread).map((e) => e.text)).toEqual(["before", "while away", "after"])
  })

  it("a session Discord drops (op 9 false): missed messages are read by history and delivered exactly once", async () => {
    const { fake, alice, general, sink } = h
    const { thread } = await session("start")
    const t = decodeThread(thread).thread
    fake.postAs(alice, { channelId: t, content: "seen before" })
    await sink.message("seen before")
    fake.invalidateSession(false)
    const missed = [
      fake.postAs(alice, { channelId: t, content: "missed reply" }),
      fake.postAs(alice, { channelId: general.id, content: mention("missed top") }),
      fake.postAs(alice, { channelId: t, content: "missed reply 2" }),
    ]
    await sink.message("missed reply 2")
    await sink.message("missed top")
    fake.postAs(alice, { channelId: t, content: "live again" })
    await sink.message("live again")
    expect(fake.stats().gateway.identifies).toBe(2)
    expect(fake.requests().some((r) => r.method === "GET" && r.route === "/channels/:channelId/messages")).toBe(true)
    const ids = sink.messages.map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(missed.every((m) => ids.includes(m.id))).toBe(true)
    expect(sink.messages.find((e) => e.text === "missed top")).toMatchObject({ threadStart: true, mentioned: true })
    expect(sink.messages.filter((e) => e.thread === thread).map((e) => e.text)).toEqual(["start", "seen before", "missed reply", "missed reply 2", "live again"])
  })

  it("trap 24: op 9 racing RESUMED does not crash the process; the client re-identifies and goes on", async () => {
    const { fake, alice, sink } = h
    const { thread } = await session("race")
    const t = decodeThread(thread).thread
    fake.raceInvalidSessionWithResumed()
    fake.dropGateway({ code: 4000 })
    fake.postAs(alice, { channelId: t, content: "during the race" })
    await fake.waitFor((f) => f.stats().gateway.identifies === 2 && f.stats().gateway.open === 1, { what: "re-identify" })
    fake.postAs(alice, { channelId: t, content: "after the race" })
    await sink.message("after the race")
    expect(sink.messages.filter((e) => e.text === "during the race")).toHaveLength(1)
  })

  it("a disallowed privileged intent and a bad token are clear start errors", async () => {
    const fake = await startFakeDiscord({ privilegedIntents: { messageContent: false } })
    try {
      const adapter = new DiscordAdapter({ token: fake.bot.token, apiUrl: fake.apiUrl, log: silentLogger })
      await expect(adapter.start(async () => {})).rejects.toThrow(/Developer Portal → your application → Bot → Privileged Gateway Intents → “Message Content Intent”/)
      const wrong = new DiscordAdapter({ token: "bad.token.here", apiUrl: fake.apiUrl, log: silentLogger })
      await expect(wrong.start(async () => {})).rejects.toThrow(/token was rejected/)
      await expect(new DiscordAdapter({ token: fake.bot.token, apiUrl: fake.apiUrl, log: silentLogger }).check()).rejects.toThrow(/Message Content intent is off/)
    } finally {
      await fake.close()
    }
    await h.close()
    const g = await startFakeDiscord()
    g.addGuild({ name: "core" })
    h = { ...h, close: () => g.close() }
    const stray = new DiscordAdapter({ token: g.bot.token, apiUrl: g.apiUrl, log: silentLogger, guilds: ["elsewhere"] })
    await expect(stray.start(async () => {})).rejects.toThrow(/not in the server "elsewhere" \(its servers: core\)/)
  })

  it("doctor names missing permissions per channel; lookup resolves names to ids", async () => {
    const { fake, adapter, guild, alice, general } = h
    const report = await adapter.check()
    expect(report).toMatch(/^bot @switchboard \(application \d+\): Message Content intent on; 1 server\(s\); permissions complete in 2 channel\(s\); invite URL: https:\/\/discord\.com\/oauth2\/authorize\?client_id=/)
    fake.setChannelAccess(general, "read-only")
    await expect(adapter.check()).rejects.toThrow(/#general \(core\): missing Send Messages, Send Messages in Threads, Create Public Threads, Add Reactions/)
    const scoped = new DiscordAdapter({ token: fake.bot.token, apiUrl: fake.apiUrl, log: silentLogger, channels: ["ideas", "nope"] })
    await expect(scoped.check()).rejects.toThrow(/^channel "nope" is not a text or forum channel/)
    expect(await adapter.lookup("user", "@alice")).toBe(alice.id)
    expect(await adapter.lookup("user", "nobody")).toBeUndefined()
    expect(await adapter.lookup("channel", "#general")).toBe(general.id)
    expect(await adapter.lookup("channel", "missing")).toBeUndefined()
    expect(guild.id).toBeTruthy()
  })
})
