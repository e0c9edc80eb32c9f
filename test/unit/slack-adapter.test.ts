// The Slack adapter driving the REAL @slack/bolt (Socket Mode, or the HTTP Events API through its
// route) against the in-repo fake Slack: assertions read what the fake stores (what a person
// would see) and the traffic it answered, and what reaches the sink — never mocks.
import { createHmac } from "node:crypto"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { SlackAdapter } from "../../adapters/slack/adapter.ts"
import { toSlackMarkdown } from "../../adapters/slack/format.ts"
import { EXPIRED_TEXT } from "../../adapters/slack/inbound/listen.ts"
import { parseCommandText } from "../../adapters/slack/inbound/command.ts"
import { stripMention } from "../../adapters/slack/inbound/message.ts"
import { BOT_EVENTS, BOT_SCOPES, manifest, manifestYaml } from "../../adapters/slack/manifest.ts"
import type { SlackOptions } from "../../adapters/slack/options.ts"
import { neutralizeMentions } from "../../adapters/slack/outbound.ts"
import { decodeMessage, decodeThread, encodeMessage, encodeThread } from "../../adapters/slack/refs.ts"
import { safeCut } from "../../adapters/slack/stream.ts"
import { ChatError, RateLimitError } from "../../src/chat/errors.ts"
import { COMMANDS } from "../../src/commands/registry.ts"
import type { ActionEvent, ChatEvent, ChatReply, ChatSink, CommandEvent, HttpRequest, MessageEvent, ReactionEvent } from "../../src/chat/types.ts"
import { silentLogger } from "../../src/log/logger.ts"
import { webClientFor } from "../harness/slack/bolt.ts"
import { DEFAULT_SCOPES, startFakeSlack, type ChannelHandle, type FakeSlack, type FakeSlackOptions, type UserHandle } from "../harness/slack/index.ts"

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5"

/** Collects what the adapter hands the core; `until` re-checks on every event. */
class Sink {
  readonly events: ChatEvent[] = []
  reply: (e: ChatEvent) => ChatReply | void = () => undefined
  private readonly waiters = new Set<() => void>()

  readonly fn: ChatSink = async (e) => {
    this.events.push(e)
    for (const w of [...this.waiters]) w()
    return this.reply(e)
  }

  until<T>(pick: (events: ChatEvent[]) => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
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

  message(text: string): Promise<MessageEvent> {
    return this.until((es) => es.find((e): e is MessageEvent => e.kind === "message" && e.text === text), `message "${text}"`)
  }

  kind<K extends ChatEvent["kind"]>(kind: K): Promise<Extract<ChatEvent, { kind: K }>> {
    return this.until((es) => es.find((e): e is Extract<ChatEvent, { kind: K }> => e.kind === kind), kind)
  }

  get messages(): MessageEvent[] {
    return this.events.filter((e): e is MessageEvent => e.kind === "message")
  }
}

interface Harness {
  fake: FakeSlack
  alice: UserHandle
  bob: UserHandle
  town: ChannelHandle
  adapter: SlackAdapter
  sink: Sink
  /** A thread rooted at a person's top-level message in #town. */
  thread(): Promise<{ ref: string; root: string }>
  close(): Promise<void>
}

const FAST = { clientPingTimeoutMs: 1500, reconnectInitialMs: 100, reconnectMaxMs: 500 }

async function harness(opts: { fake?: FakeSlackOptions; adapter?: Partial<SlackOptions> } = {}): Promise<Harness> {
  const fake = await startFakeSlack(opts.fake)
  const alice = fake.addUser({ name: "alice", realName: "Alice Liddell" })
  const bob = fake.addUser({ name: "bob" })
  const town = fake.addChannel({ name: "town", members: [alice, bob] })
  const adapter = new SlackAdapter({ botToken: fake.bot.token, appToken: fake.bot.appToken, apiUrl: fake.url, log: silentLogger, socket: FAST, ...opts.adapter })
  const sink = new Sink()
  await adapter.start(sink.fn)
  return {
    fake,
    alice,
    bob,
    town,
    adapter,
    sink,
    thread: async () => {
      const root = fake.postAs(alice, { channel: town, text: `<@${fake.bot.userId}> start ${Math.random()}` })
      await sink.until((es) => es.some((e) => e.kind === "message" && e.message.endsWith(root.ts)), "the thread's first message")
      return { ref: encodeThread({ team: fake.team.id, channel: town.id, root: root.ts }), root: root.ts }
    },
    close: async () => {
      await adapter.stop()
      await fake.waitFor((f) => f.connections() === 0, { timeoutMs: 5_000, what: "the adapter's socket closed on stop" })
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
const tsOf = (ref: string) => decodeMessage(ref).ts
const markdown = (fake: FakeSlack, channel: string, ts: string) =>
  fake.message(channel, ts)?.blocks.filter((b) => b.type === "markdown").map((b) => b.text).join("\n")

describe("refs, options, formatting and the manifest", () => {
  it("thread and message refs round-trip; bad ones are refused", () => {
    const thread = encodeThread({ team: "T1", channel: "C1", root: "1700000001.000100" })
    expect(thread).toBe("slack:T1:C1:1700000001.000100")
    expect(decodeThread(thread)).toEqual({ team: "T1", channel: "C1", root: "1700000001.000100" })
    expect(decodeThread("slack:T1:C1:")).toEqual({ team: "T1", channel: "C1", root: "" })
    const msg = encodeMessage({ channel: "C1", ts: "1700000002.000200" })
    expect(decodeMessage(msg)).toEqual({ channel: "C1", ts: "1700000002.000200" })
    expect(decodeMessage("slack:C1:F0123ABC").ts).toBe("F0123ABC")
    for (const bad of ["mattermost:T:C:1.2", "slack:T1:C1", "slack:T1::1.2", "slack:T1:C1:abc", "slack:T:C:1.2:x"]) expect(() => decodeThread(bad)).toThrow(ChatError)
    expect(() => decodeMessage("slack:C1:")).toThrow(ChatError)
    expect(h.adapter.scopeOf(thread)).toEqual({ channel: "C1", workspace: h.fake.team.id })
    expect(h.adapter.scopeOf(msg)).toEqual({ channel: "C1", workspace: h.fake.team.id })
  })

  it("options need the tokens of their mode; capabilities are Slack's", () => {
    const base = { botToken: "xoxb-1", log: silentLogger }
    expect(() => new SlackAdapter({ ...base })).toThrow(/SLACK_APP_TOKEN/)
    expect(() => new SlackAdapter({ ...base, mode: "http" })).toThrow(/SLACK_SIGNING_SECRET/)
    expect(() => new SlackAdapter({ ...base, botToken: "xapp-1", appToken: "xapp-1" })).toThrow(/xoxb-/)
    expect(() => new SlackAdapter({ ...base, appToken: "xapp-1", commandName: "switchboard" })).toThrow(/commandName/)
    expect(h.adapter.capabilities).toMatchObject({ maxMessageLength: 11_000, markdown: "gfm", buttons: true, selects: true, ephemeral: true, streaming: { maxAppend: 11_000, maxTotal: 11_000 } })
    const rules = h.adapter.capabilities.rateRules
    expect(rules).toContainEqual({ scope: "workspace", ops: ["edit"], max: 40, perMs: 60_000 })
    expect(rules).toContainEqual({ scope: "channel", ops: ["post"], max: 1, perMs: 1_000 })
    expect(rules.find((r) => r.ops.includes("stream"))).toMatchObject({ scope: "workspace" })
    expect(h.adapter.routes()).toEqual([])
  })

  it("mentions, commands, tables and broadcast mentions", () => {
    expect(stripMention("<@UBOT> deploy", "UBOT")).toEqual({ text: "deploy", found: true })
    expect(stripMention("hey <@UBOT|switchboard>, go", "UBOT")).toEqual({ text: "hey go", found: true })
    expect(stripMention("ask <@UOTHER>", "UBOT").found).toBe(false)
    expect(parseCommandText("  Status   now please")).toEqual({ name: "status", args: "now please" })
    expect(parseCommandText("")).toEqual({ name: "help", args: "" })
    expect(toSlackMarkdown("Plan:\n\n| a | bb |\n|---|:-:|\n| **1** | `2` |\n\nDone")).toBe("Plan:\n\n```\na   | bb\n----+----\n1   | 2\n```\n\nDone")
    expect(toSlackMarkdown("```\n| a | b |\n|---|---|\n```")).toBe("```\n| a | b |\n|---|---|\n```")
    const n = neutralizeMentions("<!channel> <!here|here> <!subteam^S123|@devs> @everyone `@here` mail@here.com")
    expect(n).toBe("‹!channel> ‹!here|here> ‹!subteam^S123|@devs> ＠everyone `@here` mail@here.com")
    expect(safeCut("hello <!chan", 0)).toBe(6)
    expect(safeCut("hi @her", 0)).toBe(3)
    expect(safeCut("line one\nwith `code", 0)).toBe(14)
    expect(safeCut("a `b` c", 0)).toBe(7)
    expect(safeCut("a `b`", 0)).toBe(2)
    expect(safeCut("```ts", 0)).toBe(0)
  })

  it("the manifest has the scopes, events, Socket Mode, the command and interactivity", async () => {
    await h.adapter.registerCommands([
      { name: "new", aliases: [], summary: "start over", usage: "new [first message]" },
      { name: "status", aliases: [], summary: "what runs" },
    ])
    const yaml = h.adapter.manifest()
    for (const s of BOT_SCOPES) expect(yaml).toContain(`"${s.scope}"`)
    for (const e of BOT_EVENTS) expect(yaml).toContain(`"${e}"`)
    expect(yaml).toContain('command: "/switchboard"')
    expect(yaml).toContain('usage_hint: "new [first message] | status"')
    expect(yaml).toMatch(/socket_mode_enabled: true/)
    expect(yaml).toMatch(/interactivity:\n {4}is_enabled: true/)
    const http = manifest({ mode: "http", requestUrl: "https://relay.example.com/slack/events", commandName: "/sb" }) as { settings: { event_subscriptions: { request_url: string }; socket_mode_enabled: boolean } }
    expect(http.settings.event_subscriptions.request_url).toBe("https://relay.example.com/slack/events")
    expect(http.settings.socket_mode_enabled).toBe(false)
    expect(manifestYaml({ mode: "http", requestUrl: "https://r/x" })).toContain('url: "https://r/x"')
  })

  it("docs/slack.md carries the manifest the adapter prints for the relay's commands", () => {
    const docs = readFileSync(join(import.meta.dirname, "..", "..", "docs", "slack.md"), "utf8")
    const block = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1]
    const specs = COMMANDS.map((c) => ({ name: c.name, aliases: c.aliases ?? [], summary: c.summary, ...(c.usage ? { usage: c.usage } : {}) }))
    expect(block).toBe(manifestYaml({ commands: specs }))
  })
})

describe("inbound", () => {
  it("a mention in a channel starts a thread on it; a reply continues without a mention", async () => {
    const devs = h.fake.addUserGroup({ handle: "devs", members: [h.alice] })
    const root = h.fake.postAs(h.alice, { channel: h.town, text: `<@${h.fake.bot.userId}> fix &amp; ship <b>` })
    const first = await h.sink.message("fix & ship <b>")
    expect(first).toMatchObject({
      platform: "slack", workspace: h.fake.team.id, channel: h.town.id, channelName: "town", space: "channel",
      thread: `slack:${h.fake.team.id}:${h.town.id}:${root.ts}`, message: `slack:${h.town.id}:${root.ts}`,
      mentioned: true, threadStart: true, user: { id: h.alice.id, name: "alice", displayName: "alice", isBot: false },
    })
    expect(first.user.groups).toEqual([devs.id, "devs"])
    h.fake.postAs(h.bob, { channel: h.town, text: "and the docs", threadTs: root.ts })
    const reply = await h.sink.message("and the docs")
    expect(reply).toMatchObject({ thread: first.thread, mentioned: false, threadStart: false, user: { id: h.bob.id } })
  })

  it("a direct message needs no mention; a group DM is a group", async () => {
    h.fake.postAs(h.alice, { channel: h.fake.dm(h.alice), text: "hello bot" })
    expect(await h.sink.message("hello bot")).toMatchObject({ space: "direct", mentioned: true, threadStart: true })
    const mpim = h.fake.addChannel({ name: "mpdm-alice--bob", type: "mpim", members: [h.alice, h.bob] })
    h.fake.postAs(h.alice, { channel: mpim, text: `<@${h.fake.bot.userId}> both of us` })
    expect(await h.sink.message("both of us")).toMatchObject({ space: "group", mentioned: true })
  })

  it("app_mention and message for one post, and a redelivery, reach the sink once", async () => {
    const post = h.fake.postAs(h.alice, { channel: h.town, text: `<@${h.fake.bot.userId}> once` })
    await h.sink.message("once")
    const envelopes = h.fake.envelopes({ type: "events_api" }).filter((e) => (e.payload.event as { ts?: string }).ts === post.ts)
    expect(envelopes.map((e) => (e.payload.event as { type: string }).type).sort()).toEqual(["app_mention", "message"])
    for (const e of envelopes) expect((await h.fake.redeliver(e)).status).toBe("acked")
    h.fake.postAs(h.alice, { channel: h.town, text: "after" })
    await h.sink.message("after")
    expect(h.sink.messages.filter((m) => m.text === "once")).toHaveLength(1)
  })

  it("the bot's own messages and edits never come back; people's edits are not new input; other bots are bots", async () => {
    const { ref } = await h.thread()
    const mine = await h.adapter.post(ref, { text: "from the bot" })
    await h.adapter.edit(mine, { text: "edited by the bot" })
    await webClientFor(h.fake).chat.postMessage({ channel: h.town.id, text: "bot talking directly" })
    const said = h.fake.postAs(h.alice, { channel: h.town, text: "typo" })
    h.fake.editAs(h.alice, { channel: h.town, ts: said.ts, text: "fixed typo" })
    const ci = h.fake.addUser({ name: "ci", isBot: true })
    const ops = h.fake.addChannel({ name: "ops", members: [h.alice, ci] })
    h.fake.postAs(ci, { channel: ops, text: "build green" })
    expect((await h.sink.message("build green")).user).toMatchObject({ id: ci.id, isBot: true })
    await h.sink.message("typo")
    // Everything the channels carried after the thread's start: the edits came too, and the bot's posts.
    h.fake.postAs(h.alice, { channel: h.town, text: "last" })
    await h.sink.message("last")
    const texts = h.sink.messages.map((m) => m.text).filter((t) => !t.startsWith("start "))
    expect(texts.sort()).toEqual(["build green", "last", "typo"])
  })

  it("an unreadable profile is unknown; unlisted channels are not served", async () => {
    await h.close()
    h = await harness({ adapter: { channels: ["#town"] } })
    const other = h.fake.addChannel({ name: "random", members: [h.alice] })
    h.fake.postAs(h.alice, { channel: other, text: "not here" })
    h.fake.failNext("users.info", "user_not_found")
    h.fake.postAs(h.bob, { channel: h.town, text: "who am i" })
    expect((await h.sink.message("who am i")).user).toEqual({ id: h.bob.id, isBot: false, unknown: true })
    expect(h.sink.messages.some((m) => m.text === "not here")).toBe(false)
  })

  it("a reaction on the bot's message arrives with its thread; the bot's own do not", async () => {
    const { ref } = await h.thread()
    const msg = await h.adapter.post(ref, { text: "approve?" })
    await h.adapter.react(msg, "👀")
    h.fake.reactAs(h.alice, { channel: h.town, ts: tsOf(msg), name: "white_check_mark" })
    const e = await h.sink.kind("reaction")
    expect(e).toMatchObject<Partial<ReactionEvent>>({ message: msg, thread: ref, emoji: "white_check_mark", added: true, user: expect.objectContaining({ id: h.alice.id }) })
    expect(h.sink.events.filter((x) => x.kind === "reaction")).toHaveLength(1)
    expect(h.fake.reactions(h.town, tsOf(msg)).map((r) => r.name)).toContain("eyes")
  })
})

describe("buttons, selects and the slash command", () => {
  it("a click is an ActionEvent with our id; its responder answers only the clicker and replaces the message without chat.update", async () => {
    const { ref } = await h.thread()
    const msg = await h.adapter.post(ref, { text: "Run `rm`?", actions: [{ id: "sb:per_1:once", label: "Allow once", style: "primary" }, { id: "sb:per_1:reject", label: "Reject", style: "danger" }] })
    h.sink.reply = (e) => (e.kind === "action" && e.user.id === h.bob.id ? { ephemeral: "Only alice can answer this." } : undefined)
    const bobs = await h.fake.click(h.bob, { channel: h.town, ts: tsOf(msg), actionId: "sb:per_1:once" })
    expect(bobs.acked).toBe(true)
    await h.fake.waitFor((f) => f.ephemerals(h.bob).length === 1, { what: "the refusal" })
    expect(h.fake.ephemerals(h.bob)[0]?.text).toBe("Only alice can answer this.")
    await h.fake.click(h.alice, { channel: h.town, ts: tsOf(msg), actionId: "sb:per_1:reject" })
    const e = await h.sink.until((es) => es.find((x): x is ActionEvent => x.kind === "action" && x.user.id === h.alice.id), "alice's click")
    expect(e).toMatchObject({ actionId: "sb:per_1:reject", message: msg, thread: ref, space: "channel" })
    const before = h.fake.stats().calls["chat.update"] ?? 0
    await e.respond?.ephemeral("Rejected; the agent was told.")
    await e.respond?.update?.({ text: "Rejected by alice." })
    expect(h.fake.ephemerals(h.alice).map((x) => x.text)).toEqual(["Rejected; the agent was told."])
    expect(markdown(h.fake, h.town.id, tsOf(msg))).toBe("Rejected by alice.")
    expect(h.fake.message(h.town, tsOf(msg))?.blocks.some((b) => b.type === "actions")).toBe(false)
    expect(h.fake.stats().calls["chat.update"] ?? 0).toBe(before)
    expect(h.fake.responses().map((r) => r.outcome)).toEqual(["ephemeral", "ephemeral", "replaced"])
  })

  it("select and multi-select values arrive; a click after the deadline is refused", async () => {
    const { ref } = await h.thread()
    const options = [{ value: "a", label: "Alpha" }, { value: "b", label: "Beta" }, { value: "c", label: "Gamma" }]
    const one = await h.adapter.post(ref, { text: "pick one", select: { id: "sb:q_1", placeholder: "Choose", options } })
    await h.fake.select(h.alice, { channel: h.town, ts: tsOf(one), actionId: "sb:q_1", value: "b" })
    expect(await h.sink.kind("action")).toMatchObject({ actionId: "sb:q_1", value: "b" })
    const many = await h.adapter.post(ref, { text: "pick some", select: { id: "sb:q_2", placeholder: "Choose", options, multiple: true } })
    await h.fake.select(h.alice, { channel: h.town, ts: tsOf(many), actionId: "sb:q_2", values: ["a", "c"] })
    expect(await h.sink.until((es) => es.find((e) => e.kind === "action" && e.actionId === "sb:q_2"), "multi")).toMatchObject({ value: "a", values: ["a", "c"] })
    const late = await h.adapter.post(ref, { text: "too late", actions: [{ id: "sb:per_2:once", label: "Allow" }], actionsExpireAt: Date.now() - 1 })
    await h.fake.click(h.alice, { channel: h.town, ts: tsOf(late), actionId: "sb:per_2:once" })
    await h.fake.waitFor((f) => f.ephemerals(h.alice).some((e) => e.text === EXPIRED_TEXT), { what: "expired note" })
    expect(h.sink.events.some((e) => e.kind === "action" && e.actionId === "sb:per_2:once")).toBe(false)
  })

  it("the slash command is acked within 3 s and arrives as a command with a responder", async () => {
    const result = await h.fake.slashCommand(h.alice, { channel: h.town, command: "/switchboard", text: "status  verbose" })
    expect(result.acked).toBe(true)
    expect(result.ackLatencyMs).toBeLessThan(3_000)
    const e = await h.sink.kind("command")
    expect(e).toMatchObject<Partial<CommandEvent>>({ name: "status", args: "verbose", channel: h.town.id, space: "channel", thread: `slack:${h.fake.team.id}:${h.town.id}:` })
    await e.respond?.ephemeral("Nothing runs here.")
    expect(h.fake.ephemerals(h.alice).map((x) => x.text)).toEqual(["Nothing runs here."])
  })
})

describe("outbound", () => {
  it("posts Block Kit with a markdown block and a fallback; broadcasts are neutralised; over the cap is too_long", async () => {
    const { ref, root } = await h.thread()
    const msg = await h.adapter.post(ref, { text: "<!channel> **done** @here", actions: [{ id: "sb:x", label: "OK" }] })
    const view = h.fake.message(h.town, tsOf(msg))!
    expect(view.threadTs).toBe(root)
    expect(view.blocks.map((b) => b.type)).toEqual(["markdown", "actions"])
    expect(markdown(h.fake, h.town.id, view.ts)).toBe("‹!channel> **done** ＠here")
    expect(view.text).toBe("‹!channel> **done** ＠here")
    expect(h.fake.requests({ method: "chat.postMessage" }).every((r) => r.args.link_names === undefined)).toBe(true)
    const posts = h.fake.stats().calls["chat.postMessage"]
    const err = await failure(h.adapter.post(ref, { text: "x".repeat(12_001) }))
    expect(err).toMatchObject({ code: "too_long" })
    expect(h.fake.stats().calls["chat.postMessage"]).toBe(posts)
    await h.adapter.post(ref, { text: "y".repeat(11_999) })
    await h.adapter.edit(msg, { text: "replaced" })
    expect(h.fake.message(h.town, tsOf(msg))?.blocks.map((b) => b.type)).toEqual(["markdown"])
  })

  it("a 429 is a RateLimitError with Slack's retry time and the bucket it concerns", async () => {
    const { ref } = await h.thread()
    const msg = await h.adapter.post(ref, { text: "before" })
    h.fake.forceRateLimit("chat.update", 1, 2)
    const err = (await failure(h.adapter.edit(msg, { text: "after" }))) as RateLimitError
    expect(err).toBeInstanceOf(RateLimitError)
    expect([err.retryAfterMs, err.scope]).toEqual([2_000, "workspace"])
    h.fake.forceRateLimit("chat.postMessage", 1, 1)
    expect(await failure(h.adapter.post(ref, { text: "again" }))).toMatchObject({ retryAfterMs: 1_000, scope: "channel" })
    await h.adapter.edit(msg, { text: "after" })
    expect(markdown(h.fake, h.town.id, tsOf(msg))).toBe("after")
  })

  it("a stream is one message with the appends concatenated (split mentions caught); stop(final) replaces it", async () => {
    const { ref, root } = await h.thread()
    const s = await h.adapter.stream(ref, { text: "Hello", recipient: { user: h.alice.id, workspace: h.fake.team.id } })
    await s.append(" <!chan")
    await s.append("nel> and `@here`")
    await s.append(" done")
    await s.stop()
    const view = h.fake.message(h.town, tsOf(s.ref))!
    expect(view).toMatchObject({ streamed: true, streaming: false, threadTs: root, rendered: "Hello ‹!channel> and `@here` done" })
    expect(h.fake.requests({ method: "chat.startStream" })[0]?.args).toMatchObject({ recipient_user_id: h.alice.id, recipient_team_id: h.fake.team.id })
    expect(h.fake.stats().calls["chat.update"]).toBeUndefined()
    const t = await h.adapter.stream(ref, { text: "draft", recipient: { user: h.alice.id, workspace: h.fake.team.id } })
    await t.stop({ text: "| a | b |\n|---|---|\n| 1 | 2 |" })
    expect(h.fake.message(h.town, tsOf(t.ref))?.rendered).toBe("```\na   | b\n----+----\n1   | 2\n```")
    expect(h.fake.stats().calls["chat.update"]).toBe(1)
    // Held-back text (an open code span) and new text together go out in appends Slack accepts.
    const long = await h.adapter.stream(ref, { text: "x", recipient: { user: h.alice.id, workspace: h.fake.team.id } })
    const calls = h.fake.stats().calls["chat.appendStream"] ?? 0
    await long.append(` \`${"a".repeat(9_000)}`)
    expect(h.fake.stats().calls["chat.appendStream"] ?? 0).toBe(calls + 1)
    await long.append(`${"b".repeat(5_000)}\` end`)
    await long.stop()
    const sizes = h.fake.requests({ method: "chat.appendStream" }).slice(calls).map((r) => String(r.args.markdown_text).length)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(11_000)
    expect(h.fake.message(h.town, tsOf(long.ref))?.rendered).toBe(`x \`${"a".repeat(9_000)}${"b".repeat(5_000)}\` end`)
    // An append Slack refuses ends the stream, so delivery's edits can take the message over.
    const u = await h.adapter.stream(ref, { text: "partial", recipient: { user: h.alice.id, workspace: h.fake.team.id } })
    h.fake.failNext("chat.appendStream", "invalid_arguments")
    expect(await failure(u.append(" more"))).toMatchObject({ code: "invalid" })
    await h.adapter.edit(u.ref, { text: "partial, then edited" })
    expect(h.fake.message(h.town, tsOf(u.ref))).toMatchObject({ streaming: false, rendered: "partial, then edited" })
  })

  it("streaming refused is unsupported; without assistant:write there is no stream and typing does nothing", async () => {
    const { ref } = await h.thread()
    h.fake.failNext("chat.startStream", "not_allowed")
    expect(await failure(h.adapter.stream(ref, { text: "x", recipient: { user: h.alice.id, workspace: h.fake.team.id } }))).toMatchObject({ code: "unsupported" })
    await h.close()
    h = await harness({ fake: { streaming: false } })
    const again = await h.thread()
    expect(h.adapter.capabilities.streaming).toBeUndefined()
    expect(await failure(h.adapter.stream(again.ref, { text: "x" }))).toMatchObject({ code: "unsupported" })
    await h.adapter.typing(again.ref)
    expect(h.fake.stats().calls["assistant.threads.setStatus"]).toBeUndefined()
  })

  it("typing sets the assistant status once per refresh, again after a post cleared it", async () => {
    const { ref, root } = await h.thread()
    await h.adapter.typing(ref)
    await h.adapter.typing(ref)
    expect(h.fake.statusOf(h.town, root)).toBe("is working…")
    expect(h.fake.stats().calls["assistant.threads.setStatus"]).toBe(1)
    await h.adapter.post(ref, { text: "answer" })
    expect(h.fake.statusOf(h.town, root)).toBeUndefined()
    await h.adapter.typing(ref)
    expect(h.fake.stats().calls["assistant.threads.setStatus"]).toBe(2)
  })

  it("files in a thread download with the bot token through the cap; uploads land in the thread", async () => {
    const { ref, root } = await h.thread()
    const file = h.fake.uploadFile(h.alice, { name: "notes.txt", mime: "text/plain", data: "remember the milk" })
    h.fake.postAs(h.alice, { channel: h.town, text: "see file", threadTs: root, files: [file] })
    const e = await h.sink.message("see file")
    expect(e.files.map((f) => [f.name, f.mime, f.size])).toEqual([["notes.txt", "text/plain", 17]])
    expect(Buffer.from(await e.files[0]!.fetch({ maxBytes: 1_000 })).toString()).toBe("remember the milk")
    expect(await failure(e.files[0]!.fetch({ maxBytes: 5 }))).toMatchObject({ code: "too_large" })
    const up = await h.adapter.upload(ref, { name: "out.txt", mime: "text/plain", data: new TextEncoder().encode("result") }, "here it is @channel")
    const shared = h.fake.message(h.town, tsOf(up))!
    expect(shared).toMatchObject({ threadTs: root, text: "here it is ＠channel" })
    expect(h.fake.fileData(String(shared.files[0]?.id))?.toString()).toBe("result")
  })

  it("ephemeral notes, recent posts and lookups", async () => {
    const { ref } = await h.thread()
    await h.adapter.ephemeral(ref, h.bob.id, "just for bob")
    expect(h.fake.ephemerals(h.bob).map((e) => e.text)).toEqual(["just for bob"])
    const since = Date.now() - 1_000
    const a = await h.adapter.post(ref, { text: "one" })
    const b = await h.adapter.post(ref, { text: "two" })
    expect((await h.adapter.recentPosts(ref, since)).map((p) => [p.ref, p.text])).toEqual([[a, "one"], [b, "two"]])
    expect(await h.adapter.lookup("user", "@bob")).toBe(h.bob.id)
    expect(await h.adapter.lookup("channel", "#town")).toBe(h.town.id)
    expect(await h.adapter.lookup("user", "nobody")).toBeUndefined()
  })
})

describe("connection, start-up and doctor", () => {
  it("a disconnect frame and a dropped socket reconnect and keep delivering", async () => {
    const total = h.fake.stats().ws.total
    h.fake.sendDisconnect("refresh_requested")
    await h.fake.waitFor((f) => f.stats().ws.total === total + 1 && f.connections() === 1, { what: "reconnect after disconnect" })
    h.fake.postAs(h.alice, { channel: h.town, text: `<@${h.fake.bot.userId}> after refresh` })
    await h.sink.message("after refresh")
    h.fake.dropSockets()
    await h.fake.waitFor((f) => f.stats().ws.total === total + 2 && f.connections() === 1, { what: "reconnect after drop" })
    h.fake.postAs(h.alice, { channel: h.town, text: `<@${h.fake.bot.userId}> after drop` })
    await h.sink.message("after drop")
  })

  it("start fails clearly on a bad token or a missing required scope; check lists optional ones", async () => {
    const bad = new SlackAdapter({ botToken: "xoxb-wrong", appToken: h.fake.bot.appToken, apiUrl: h.fake.url, log: silentLogger })
    expect(await failure(bad.start(async () => {}))).toMatchObject({ message: expect.stringMatching(/bot token was refused.*invalid_auth/) })
    const badApp = new SlackAdapter({ botToken: h.fake.bot.token, appToken: "xapp-wrong", apiUrl: h.fake.url, log: silentLogger })
    expect(await failure(badApp.start(async () => {}))).toMatchObject({ message: expect.stringMatching(/app-level token was refused/) })
    expect(await failure(badApp.check())).toMatchObject({ message: expect.stringMatching(/SLACK_APP_TOKEN/) })
    expect(await h.adapter.check()).toMatch(/^bot @switchboard in Switchboard Test; app-level token works/)
    await h.close()
    h = await harness({ fake: { scopes: DEFAULT_SCOPES.filter((s) => s !== "usergroups:read") } })
    expect(await h.adapter.check()).toMatch(/missing optional scopes: usergroups:read/)
    const fake = await startFakeSlack({ scopes: DEFAULT_SCOPES.filter((s) => s !== "chat:write") })
    const noWrite = new SlackAdapter({ botToken: fake.bot.token, appToken: fake.bot.appToken, apiUrl: fake.url, log: silentLogger })
    expect(await failure(noWrite.start(async () => {}))).toMatchObject({ message: expect.stringMatching(/lacks required scopes: chat:write/) })
    await fake.close()
  })
})

describe("HTTP Events API mode", () => {
  const sign = (body: string, at: number, secret = SECRET) => `v0=${createHmac("sha256", secret).update(`v0:${at}:${body}`).digest("hex")}`
  const request = (body: string, headers: Record<string, string>): HttpRequest => ({
    method: "POST", path: "/slack/events", query: new URLSearchParams(), body: Buffer.from(body), headers: { "content-type": "application/json", ...headers },
  })

  it("a signed event is delivered; a bad signature and a 6-minute-old timestamp are refused; url_verification answers", async () => {
    await h.close()
    h = await harness({ adapter: { mode: "http", signingSecret: SECRET } })
    const [route] = h.adapter.routes()
    expect([route?.method, route?.path]).toEqual(["POST", "/slack/events"])
    const now = Math.floor(Date.now() / 1000)
    const event = (text: string, ts: string) =>
      JSON.stringify({ type: "event_callback", team_id: h.fake.team.id, event_id: `Ev${ts}`, event: { type: "message", channel: h.town.id, channel_type: "channel", user: h.alice.id, text, ts } })
    const good = event("signed hello", "1700000001.000100")
    expect((await route!.handle(request(good, { "x-slack-signature": sign(good, now), "x-slack-request-timestamp": String(now) }))).status).toBe(200)
    expect(await h.sink.message("signed hello")).toMatchObject({ channel: h.town.id, space: "channel" })
    const forged = event("forged", "1700000002.000100")
    expect((await route!.handle(request(forged, { "x-slack-signature": sign(forged, now, "wrong-secret"), "x-slack-request-timestamp": String(now) }))).status).toBe(401)
    const old = event("replayed", "1700000003.000100")
    expect((await route!.handle(request(old, { "x-slack-signature": sign(old, now - 360), "x-slack-request-timestamp": String(now - 360) }))).status).toBe(401)
    const challenge = JSON.stringify({ type: "url_verification", challenge: "c-123" })
    const answer = await route!.handle(request(challenge, { "x-slack-signature": sign(challenge, now), "x-slack-request-timestamp": String(now) }))
    expect(JSON.parse(answer.body ?? "{}")).toEqual({ challenge: "c-123" })
    const form = `payload=${encodeURIComponent(JSON.stringify({ type: "block_actions" }))}&command=/switchboard`
    const unsigned = await route!.handle({ ...request(form, {}), headers: { "content-type": "application/x-www-form-urlencoded" } })
    expect(unsigned.status).toBe(401)
    const command = `command=%2Fswitchboard&text=status&user_id=${h.alice.id}&channel_id=${h.town.id}&team_id=${h.fake.team.id}&trigger_id=t1`
    const acked = await route!.handle({ ...request(command, { "x-slack-signature": sign(command, now), "x-slack-request-timestamp": String(now) }), headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-signature": sign(command, now), "x-slack-request-timestamp": String(now) } })
    expect(acked.status).toBe(200)
    expect(await h.sink.kind("command")).toMatchObject({ name: "status" })
    const thread = encodeThread({ team: h.fake.team.id, channel: h.town.id, root: "1700000001.000100" })
    const msg = await h.adapter.post(thread, { text: "ok?", actions: [{ id: "sb:per_h:once", label: "Allow once" }] })
    const click = {
      type: "block_actions", user: { id: h.alice.id, team_id: h.fake.team.id }, team: { id: h.fake.team.id }, trigger_id: "trig-1",
      channel: { id: h.town.id }, container: { type: "message", channel_id: h.town.id, message_ts: tsOf(msg), thread_ts: "1700000001.000100" },
      actions: [{ type: "button", action_id: "sb:per_h:once", block_id: "sb:exp:0", value: "sb:per_h:once" }],
    }
    const clickForm = `payload=${encodeURIComponent(JSON.stringify(click))}`
    const clicked = await route!.handle({ ...request(clickForm, {}), headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-signature": sign(clickForm, now), "x-slack-request-timestamp": String(now) } })
    expect(clicked.status).toBe(200)
    expect(await h.sink.kind("action")).toMatchObject({ actionId: "sb:per_h:once", message: msg, thread, user: expect.objectContaining({ id: h.alice.id }) })
    expect(h.sink.messages.map((m) => m.text)).toEqual(["signed hello"])
  })
})
