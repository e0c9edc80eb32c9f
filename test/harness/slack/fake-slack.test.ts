// Drives the REAL @slack/bolt App (Socket Mode receiver) and @slack/web-api WebClient against the
// fake and asserts on what people would see and on the traffic the fake answered. Doubles as
// executable documentation of the libraries' behaviour (ack ownership, self-filter, 429s).
import type { App } from "@slack/bolt"
import { WebAPIPlatformError, WebAPIRateLimitedError, WebClient } from "@slack/web-api"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { clientOptionsFor, createBoltApp, recordingLogger, webClientFor, type BoltForFakeOptions, type LogLine } from "./bolt.ts"
import { startFakeSlack, STREAMING_DISABLED_ERROR } from "./index.ts"
import type { ChannelHandle, FakeSlack, FakeSlackOptions, Json, UserHandle } from "./index.ts"

let fake: FakeSlack
let alice: UserHandle
let town: ChannelHandle
let client: WebClient
const apps: App[] = []

/** Collects what Bolt listeners saw; `until` re-checks on every push (no polling). */
class Seen {
  readonly items: Json[] = []
  private readonly waiters = new Set<() => void>()
  push(item: unknown): void {
    this.items.push(item as Json)
    for (const w of [...this.waiters]) w()
  }
  until<T>(fn: (items: Json[]) => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = fn(this.items)
        if (!v) return
        this.waiters.delete(check)
        clearTimeout(timer)
        resolve(v)
      }
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        reject(new Error(`timed out waiting for ${what}; saw ${JSON.stringify(this.items.map((i) => [i.type, i.subtype]))}`))
      }, timeoutMs)
      this.waiters.add(check)
      check()
    })
  }
}

async function setup(options: FakeSlackOptions = {}) {
  fake = await startFakeSlack(options)
  alice = fake.addUser({ name: "alice", realName: "Alice Doe" })
  town = fake.addChannel({ name: "town-square", members: [alice] })
  client = webClientFor(fake, { logger: recordingLogger([]) })
}

/** A started Bolt app; `configure` registers listeners before start. */
async function startApp(configure: (app: App) => void = () => {}, opts: BoltForFakeOptions = {}): Promise<App> {
  const app = createBoltApp(fake, opts)
  configure(app)
  apps.push(app)
  await app.start()
  return app
}

async function platformError(p: Promise<unknown>): Promise<Json> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(WebAPIPlatformError)
  return (err as WebAPIPlatformError).data as unknown as Json
}

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } })

beforeEach(async () => {
  await setup()
})

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop()
  await fake.close()
})

describe("Web API basics", () => {
  it("auth.test reports identity and scopes; tokens, kinds and unknown methods are checked", async () => {
    const auth = await client.auth.test()
    expect(auth).toMatchObject({ ok: true, user_id: fake.bot.userId, bot_id: fake.bot.botId, team_id: fake.team.id })
    expect(auth.response_metadata?.scopes).toContain("chat:write")
    const withToken = (token: string) => new WebClient(token, { ...clientOptionsFor(fake), logger: recordingLogger([]) })
    expect(await platformError(withToken("xoxb-nope").auth.test())).toMatchObject({ error: "invalid_auth" })
    expect(await platformError(withToken("").auth.test())).toMatchObject({ error: "not_authed" })
    const appTokenClient = withToken(fake.bot.appToken)
    expect(await platformError(appTokenClient.chat.postMessage({ channel: town.id, text: "hi" }))).toMatchObject({ error: "not_allowed_token_type" })
    expect(await platformError(client.apps.connections.open({}))).toMatchObject({ error: "not_allowed_token_type" })
    expect(await platformError(client.apiCall("chat.fly"))).toMatchObject({ error: "unknown_method" })
    expect(await platformError(client.chat.postMessage({ channel: "C0NOPE", text: "x" }))).toMatchObject({ error: "channel_not_found" })
    // JSON bodies work too (the wire format some clients use); nested values are real JSON there.
    const json = await fetch(`${fake.url}chat.postMessage`, {
      method: "POST",
      headers: { Authorization: `Bearer ${fake.bot.token}`, "Content-Type": "application/json; charset=utf-8" },
      body: JSON.stringify({ channel: town.id, text: "fallback", blocks: [section("from JSON")] }),
    })
    expect(await json.json()).toMatchObject({ ok: true, message: { blocks: [{ type: "section" }] } })
    expect(fake.messages(town).map((m) => m.rendered)).toEqual(["from JSON"])
  })

  it("a scope left out is answered missing_scope with needed/provided", async () => {
    await fake.close()
    await setup({ scopes: ["chat:write", "channels:history"] })
    const m = await client.chat.postMessage({ channel: town.id, text: "hello" })
    const data = await platformError(client.reactions.add({ channel: town.id, timestamp: m.ts ?? "", name: "eyes" }))
    expect(data).toMatchObject({ error: "missing_scope", needed: "reactions:write", provided: "chat:write,channels:history" })
  })
})

describe("Socket Mode and events", () => {
  it("starts via auth.test in the constructor, apps.connections.open with the app token, then hello", async () => {
    await startApp()
    expect(fake.requests().map((r) => `${r.method} ${String(r.ok)}`)).toEqual(["auth.test true", "apps.connections.open true"])
    expect(fake.stats().ws).toEqual({ open: 1, total: 1, rejected: 0 })
  })

  it("a mention arrives as app_mention and message (two event_ids, one ts); a DM as channel_type im", async () => {
    const mentions = new Seen()
    const messages = new Seen()
    await startApp((app) => {
      app.event("app_mention", async ({ event }) => mentions.push(event))
      app.event("message", async ({ event }) => messages.push(event))
    })
    const posted = fake.postAs(alice, { channel: town, text: `<@${fake.bot.userId}> deploy please` })
    const mention = await mentions.until((s) => s[0], "app_mention")
    const message = await messages.until((s) => s[0], "message")
    expect(mention).toMatchObject({ type: "app_mention", user: alice.id, ts: posted.ts, channel: town.id })
    expect(message).toMatchObject({ type: "message", user: alice.id, ts: posted.ts, channel_type: "channel", text: posted.text })
    const events = fake.envelopes({ type: "events_api" })
    expect(events.map((e) => (e.payload.event as Json).type)).toEqual(["app_mention", "message"])
    expect(new Set(events.map((e) => e.payload.event_id)).size).toBe(2)
    // Bolt acks events_api envelopes itself, before listeners run (the ack frame may still be in flight).
    const acked = await fake.waitFor((f) => {
      const all = f.envelopes({ type: "events_api" })
      return all.every((e) => e.status === "acked") && all
    }, { what: "acks" })
    expect(acked.every((e) => (e.ackLatencyMs ?? 9999) < 3000)).toBe(true)

    fake.postAs(alice, { channel: town, text: "no mention here", threadTs: posted.ts })
    const reply = await messages.until((s) => s[1], "thread reply")
    expect(reply).toMatchObject({ thread_ts: posted.ts, parent_user_id: alice.id })
    expect(mentions.items).toHaveLength(1)

    const dm = fake.dm(alice)
    fake.postAs(alice, { channel: dm, text: `<@${fake.bot.userId}> psst` })
    expect(await messages.until((s) => s[2], "DM")).toMatchObject({ channel: dm.id, channel_type: "im" })
    expect(mentions.items).toHaveLength(1)
  })

  it("an action acked late is redelivered; a slash command never acked is retried 3 times, then given up", async () => {
    await fake.close()
    await setup({ ackTimeoutMs: 500 })
    const attempts = new Seen()
    await startApp((app) => {
      app.action("slow", async ({ ack, context }) => {
        attempts.push({ retryNum: context.retryNum ?? 0 })
        if ((context.retryNum ?? 0) > 0) return // the retry is left unanswered: the late ack below settles it
        await fake.waitFor((f) => f.envelopes({ type: "interactive" })[0]?.redeliveries, { what: "a redelivery" })
        await ack()
      })
      app.command("/never", async () => {})
    })
    const button = { type: "actions", elements: [{ type: "button", action_id: "slow", text: { type: "plain_text", text: "Go" } }] }
    const posted = await client.chat.postMessage({ channel: town.id, text: "press", blocks: [button] })
    const clicked = await fake.click(alice, { channel: town, ts: posted.ts ?? "", actionId: "slow" })
    expect(clicked.acked).toBe(true)
    expect(clicked.envelope.late).toBe(true)
    expect(clicked.ackLatencyMs).toBeGreaterThanOrEqual(500)
    expect(clicked.envelope.attempts[0]?.timedOut).toBe(true)
    expect(clicked.envelope.attempts[1]).toMatchObject({ retryAttempt: 1, retryReason: "timeout" })
    await attempts.until((s) => s.length >= 2, "the redelivered action")
    expect(attempts.items.slice(0, 2).map((a) => a.retryNum)).toEqual([0, 1])

    const never = await fake.slashCommand(alice, { channel: town, command: "/never", text: "x" })
    expect(never).toMatchObject({ acked: false, attempts: 4 })
    expect(never.envelope.attempts.map((a) => a.retryAttempt)).toEqual([0, 1, 2, 3])
    expect(fake.envelopes({ type: "slash_commands" }).map((e) => e.status)).toEqual(["unacked"])
  })

  it("the bot's own message and edit come back as events: Bolt drops the message, not message_changed", async () => {
    const seen = new Seen()
    await startApp((app) => app.event("message", async ({ event }) => seen.push(event)))
    const posted = await client.chat.postMessage({ channel: town.id, text: "working…" })
    await client.chat.update({ channel: town.id, ts: posted.ts ?? "", text: "done" })
    const changed = await seen.until((s) => s.find((e) => e.subtype === "message_changed"), "message_changed")
    expect(changed.message).toMatchObject({ user: fake.bot.userId, bot_id: fake.bot.botId, text: "done", ts: posted.ts })
    const own = fake.envelopes({ type: "events_api" })[0]
    expect(own?.payload.event).toMatchObject({ type: "message", user: fake.bot.userId, bot_id: fake.bot.botId })
    expect(own?.status).toBe("acked")
    expect(seen.items.filter((e) => e.subtype === undefined)).toHaveLength(0)

    const human = fake.postAs(alice, { channel: town, text: "typo" })
    fake.editAs(alice, { channel: town, ts: human.ts, text: "fixed" })
    const edit = await seen.until((s) => s.find((e) => e.subtype === "message_changed" && (e.message as Json).user === alice.id), "human edit")
    expect(edit.message).toMatchObject({ text: "fixed", edited: { user: alice.id } })
  })
})

describe("interactivity", () => {
  it("buttons and selects reach app.action; respond() replaces in place without spending chat.update", async () => {
    const bodies = new Seen()
    await startApp((app) => {
      app.action("approve", async ({ ack, respond, body }) => {
        await ack()
        bodies.push(body)
        await respond({ replace_original: true, text: "Approved", blocks: [section("Approved by <@alice>")] })
      })
      app.action("pick", async ({ ack, respond, body }) => {
        await ack()
        bodies.push(body)
        await respond({ text: "noted" })
      })
      app.action("many", async ({ ack, body }) => {
        await ack()
        bodies.push(body)
      })
      app.action("dismiss", async ({ ack, respond }) => {
        await ack()
        await respond({ delete_original: true })
      })
    })
    const option = (v: string) => ({ text: { type: "plain_text", text: v.toUpperCase() }, value: v })
    const blocks = [
      section("Run `rm -rf build`?"),
      {
        type: "actions",
        block_id: "decide",
        elements: [
          { type: "button", action_id: "approve", value: "yes", style: "primary", text: { type: "plain_text", text: "Approve" } },
          { type: "static_select", action_id: "pick", options: [option("a"), option("b")] },
          { type: "multi_static_select", action_id: "many", options: [option("x"), option("y"), option("z")] },
        ],
      },
    ]
    const posted = await client.chat.postMessage({ channel: town.id, text: "approval needed", blocks })
    const ts = posted.ts ?? ""
    expect(fake.message(town, ts)?.rendered).toBe("Run `rm -rf build`?\n[Approve] [Select ▾] [Select ▾]")
    expect(() => fake.click(alice, { channel: town, ts, actionId: "nope" })).toThrow(/no matching element/)

    const picked = await fake.select(alice, { channel: town, ts, actionId: "pick", value: "b" })
    expect(picked.acked).toBe(true)
    await fake.select(alice, { channel: town, ts, actionId: "many", values: ["x", "z"] })
    const clicked = await fake.click(alice, { channel: town, ts, actionId: "approve", value: "yes" })
    expect(clicked.ackLatencyMs).toBeLessThan(3000)
    const [pick, many, approve] = await bodies.until((s) => s.length === 3 && s, "three actions")
    expect(pick?.actions).toMatchObject([{ type: "static_select", action_id: "pick", block_id: "decide", selected_option: { value: "b" } }])
    expect((many?.actions as Json[])[0]?.selected_options).toMatchObject([{ value: "x" }, { value: "z" }])
    expect(approve).toMatchObject({
      type: "block_actions",
      user: { id: alice.id, username: "alice", team_id: fake.team.id },
      container: { type: "message", message_ts: ts, channel_id: town.id },
      channel: { id: town.id },
      message: { ts, text: "approval needed" },
      actions: [{ type: "button", action_id: "approve", block_id: "decide", value: "yes" }],
    })
    expect(approve?.response_url).toBe(clicked.responseUrl)
    expect(approve?.trigger_id).toBe(clicked.triggerId)

    await fake.waitFor((f) => f.responses().length === 2, { what: "two responses" })
    expect(fake.responses().map((r) => r.outcome)).toEqual(["ephemeral", "replaced"])
    expect(fake.ephemerals(alice).map((e) => e.text)).toEqual(["noted"])
    expect(fake.message(town, ts)?.rendered).toBe("Approved by <@alice>")
    expect(fake.stats().calls["chat.update"]).toBeUndefined()
    // The button is gone from the current blocks, so a person can no longer click it.
    expect(() => fake.click(alice, { channel: town, ts, actionId: "approve" })).toThrow(/no matching element/)

    const dismiss = { type: "actions", elements: [{ type: "button", action_id: "dismiss", text: { type: "plain_text", text: "Dismiss" } }] }
    const notice = await client.chat.postMessage({ channel: town.id, text: "notice", blocks: [dismiss] })
    await fake.click(alice, { channel: town, ts: notice.ts ?? "", actionId: "dismiss" })
    await fake.waitFor((f) => f.message(town, notice.ts ?? "")?.deleted, { what: "delete_original" })
    expect(fake.messages(town).map((m) => m.ts)).toEqual([ts])
  })

  it("slash commands reach app.command; respond() posts in channel or ephemerally, 5 times at most; ack payloads show", async () => {
    const outcomes = new Seen()
    await startApp((app) => {
      app.command("/deploy", async ({ ack, respond, command }) => {
        await ack()
        outcomes.push({ command })
        await respond({ response_type: "in_channel", text: `deploying ${command.text}` })
        for (let i = 0; i < 5; i++) {
          const error = await respond(`update ${i}`).then(() => undefined, (e: unknown) => (e as { code?: string }).code ?? String(e))
          outcomes.push({ i, error })
        }
      })
      app.command("/status", async ({ ack }) => ack({ text: "all green" }))
    })
    const sent = await fake.slashCommand(alice, { channel: town, command: "/deploy", text: "prod" })
    expect(sent.acked).toBe(true)
    await outcomes.until((s) => s.length === 6, "six responses")
    expect(outcomes.items[0]?.command).toMatchObject({ command: "/deploy", text: "prod", user_id: alice.id, channel_id: town.id, team_id: fake.team.id })
    expect(outcomes.items.slice(1).map((o) => o.error)).toEqual([undefined, undefined, undefined, undefined, "slack_bolt_respond_error"])
    expect(fake.messages(town).map((m) => [m.user, m.text])).toEqual([[fake.bot.userId, "deploying prod"]])
    expect(fake.ephemerals(alice).map((e) => e.text)).toEqual(["update 0", "update 1", "update 2", "update 3"])
    expect(fake.responses().at(-1)).toMatchObject({ outcome: "rejected", error: "used_url" })

    await fake.slashCommand(alice, { channel: town, command: "/status" })
    await fake.waitFor((f) => f.ephemerals(alice).find((e) => e.source === "slash_command_ack"), { what: "ack payload" })
    expect(fake.ephemerals(alice).at(-1)?.text).toBe("all green")
  })
})

describe("messages", () => {
  it("post, update and delete show in messages(); text-only updates keep blocks, blocks: [] clears them", async () => {
    const posted = await client.chat.postMessage({ channel: town.id, text: "fallback", blocks: [section("*Plan*")] })
    const ts = posted.ts ?? ""
    expect(posted.message).toMatchObject({ user: fake.bot.userId, bot_id: fake.bot.botId, text: "fallback" })
    expect(fake.messages(town).map((m) => m.rendered)).toEqual(["*Plan*"])
    await client.chat.update({ channel: town.id, ts, text: "new fallback" })
    expect(fake.message(town, ts)).toMatchObject({ text: "new fallback", rendered: "*Plan*" })
    await client.chat.update({ channel: town.id, ts, text: "plain now", blocks: [] })
    expect(fake.message(town, ts)).toMatchObject({ rendered: "plain now", blocks: [] })
    const reply = await client.chat.postMessage({ channel: town.id, thread_ts: ts, text: "in thread" })
    expect(fake.thread(town, ts).map((m) => m.text)).toEqual(["plain now", "in thread"])
    expect(fake.messages(town).map((m) => m.replyCount)).toEqual([1])
    await client.chat.delete({ channel: town.id, ts: reply.ts ?? "" })
    expect(fake.thread(town, ts)).toHaveLength(1)
    expect(fake.message(town, reply.ts ?? "")?.deleted).toBe(true)

    expect(await platformError(client.chat.update({ channel: town.id, ts: "1.000001", text: "x" }))).toMatchObject({ error: "message_not_found" })
    const human = fake.postAs(alice, { channel: town, text: "mine" })
    expect(await platformError(client.chat.update({ channel: town.id, ts: human.ts, text: "x" }))).toMatchObject({ error: "cant_update_message" })
    fake.setEditWindow(0)
    expect(await platformError(client.chat.update({ channel: town.id, ts, text: "late" }))).toMatchObject({ error: "edit_window_closed" })
  })

  it("reads: replies and history page with cursors; users, groups, bots, permalinks, ephemerals and reactions", async () => {
    const root = fake.postAs(alice, { channel: town, text: "question" })
    for (const text of ["one", "two", "three"]) await client.chat.postMessage({ channel: town.id, thread_ts: root.ts, text })
    const first = await client.conversations.replies({ channel: town.id, ts: root.ts, limit: 2 })
    expect(first.messages?.map((m) => m.text)).toEqual(["question", "one", "two"])
    expect(first.has_more).toBe(true)
    const rest = await client.conversations.replies({ channel: town.id, ts: root.ts, limit: 2, cursor: first.response_metadata?.next_cursor })
    expect(rest.messages?.map((m) => m.text)).toEqual(["three"])
    const top = await client.conversations.history({ channel: town.id })
    expect(top.messages?.map((m) => [m.text, m.reply_count])).toEqual([["question", 3]])

    expect((await client.users.info({ user: alice.id })).user).toMatchObject({ name: "alice", real_name: "Alice Doe", is_bot: false })
    const group = fake.addUserGroup({ handle: "oncall", members: [alice] })
    expect((await client.usergroups.list({ include_users: true })).usergroups).toMatchObject([{ id: group.id, handle: "oncall", users: [alice.id] }])
    expect((await client.usergroups.users.list({ usergroup: group.id })).users).toEqual([alice.id])
    expect((await client.bots.info({ bot: fake.bot.botId })).bot).toMatchObject({ user_id: fake.bot.userId, app_id: fake.bot.appId })
    expect((await client.conversations.info({ channel: town.id })).channel).toMatchObject({ name: "town-square", is_member: true })
    expect((await client.conversations.open({ users: alice.id })).channel?.id).toBe(fake.dm(alice).id)
    expect((await client.chat.getPermalink({ channel: town.id, message_ts: root.ts })).permalink).toContain(`/archives/${town.id}/p`)

    await client.chat.postEphemeral({ channel: town.id, user: alice.id, text: "only you" })
    expect(fake.ephemerals(alice).map((e) => [e.text, e.source])).toEqual([["only you", "chat.postEphemeral"]])
    await client.reactions.add({ channel: town.id, timestamp: root.ts, name: "eyes" })
    fake.reactAs(alice, { channel: town, ts: root.ts, name: "eyes" })
    expect(fake.reactions(town, root.ts)).toEqual([{ name: "eyes", users: [fake.bot.userId, alice.id], count: 2 }])
    expect(await platformError(client.reactions.add({ channel: town.id, timestamp: root.ts, name: "eyes" }))).toMatchObject({ error: "already_reacted" })
    await client.reactions.remove({ channel: town.id, timestamp: root.ts, name: "eyes" })
    expect(fake.reactions(town, root.ts)).toEqual([{ name: "eyes", users: [alice.id], count: 1 }])
  })

  it("limits: msg_too_long, invalid_blocks with messages, msg_blocks_too_long", async () => {
    fake.setRateLimits(false) // eight posts in one channel would exceed chat.postMessage's per-channel burst
    const post = (args: Json) => platformError(client.chat.postMessage({ channel: town.id, text: "t", ...args }))
    expect(await post({ text: "x".repeat(40_001) })).toMatchObject({ error: "msg_too_long" })
    const tooMany = await post({ blocks: Array.from({ length: 51 }, () => ({ type: "divider" })) })
    expect(tooMany).toMatchObject({ error: "invalid_blocks" })
    expect((tooMany.response_metadata as Json).messages).toEqual(["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"])
    expect(await post({ blocks: [section("x".repeat(3001))] })).toMatchObject({ error: "invalid_blocks" })
    expect(await post({ blocks: [{ type: "hologram" }] })).toMatchObject({ error: "invalid_blocks" })
    expect(await post({ blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }] })).toMatchObject({ error: "invalid_blocks" })
    const button = { type: "button", action_id: "a", text: { type: "plain_text", text: "b".repeat(76) } }
    expect(await post({ blocks: [{ type: "actions", elements: [button] }] })).toMatchObject({ error: "invalid_blocks" })
    const markdown = (n: number) => ({ type: "markdown", text: "m".repeat(n) })
    expect(await post({ blocks: [markdown(7000), markdown(5001)] })).toMatchObject({ error: "msg_blocks_too_long" })
    await client.chat.postMessage({ channel: town.id, text: "t", blocks: [markdown(7000), markdown(5000)] })
    expect(fake.stats().errors["chat.postMessage"]).toEqual({ msg_too_long: 1, invalid_blocks: 5, msg_blocks_too_long: 1 })
  })
})

describe("streaming", () => {
  it("client.chatStream gives one streamed message with the full text; appends after stop fail", async () => {
    const root = fake.postAs(alice, { channel: town, text: "explain" })
    await client.assistant.threads.setStatus({ channel_id: town.id, thread_ts: root.ts, status: "is thinking…" })
    expect(fake.statusOf(town, root.ts)).toBe("is thinking…")
    const recipient = { recipient_team_id: fake.team.id, recipient_user_id: alice.id }
    const streamer = client.chatStream({ channel: town.id, thread_ts: root.ts, ...recipient, buffer_size: 8 })
    await streamer.append({ markdown_text: "Hello " })
    await streamer.append({ markdown_text: "**world**, " })
    const live = await fake.waitFor((f) => f.thread(town, root.ts)[1], { what: "the streamed reply" })
    expect(live).toMatchObject({ streamed: true, streaming: true, user: fake.bot.userId })
    expect(fake.statusOf(town, root.ts)).toBeUndefined()
    expect(fake.statuses()[0]?.clearedBy).toBe("app_posted")
    await streamer.append({ markdown_text: "this is a stream." })
    await streamer.stop({ blocks: [{ type: "context", elements: [{ type: "mrkdwn", text: "done" }] }] })
    const thread = fake.thread(town, root.ts)
    expect(thread).toHaveLength(2)
    expect(thread[1]).toMatchObject({ streaming: false, text: "Hello **world**, this is a stream.", rendered: "Hello **world**, this is a stream.\ndone" })
    const ts = thread[1]?.ts ?? ""
    const late = await platformError(client.chat.appendStream({ channel: town.id, ts, markdown_text: "more" }))
    expect(late).toMatchObject({ error: "message_not_in_streaming_state" })
    expect(fake.stats().calls).toMatchObject({ "chat.startStream": 1, "chat.appendStream": 2, "chat.stopStream": 1 })

    const bare = { channel: town.id, thread_ts: root.ts, markdown_text: "x" }
    expect(await platformError(client.chat.startStream(bare))).toMatchObject({ error: "missing_recipient_user_id" })
    const dm = fake.dm(alice)
    const dmRoot = fake.postAs(alice, { channel: dm, text: "hi" })
    const inDm = await client.chat.startStream({ channel: dm.id, thread_ts: dmRoot.ts, markdown_text: "ok" })
    const tooLong = { channel: dm.id, ts: inDm.ts ?? "", markdown_text: "y".repeat(12_001) }
    expect(await platformError(client.chat.appendStream(tooLong))).toMatchObject({ error: "msg_too_long" })
  })

  it("with streaming off, chat.startStream answers the documented error and assistant:write is not granted", async () => {
    fake.setStreaming(false)
    const root = fake.postAs(alice, { channel: town, text: "explain" })
    const args = { channel: town.id, thread_ts: root.ts, recipient_team_id: fake.team.id, recipient_user_id: alice.id, markdown_text: "x" }
    const data = await platformError(client.chat.startStream(args))
    expect(data).toMatchObject({ error: STREAMING_DISABLED_ERROR, needed: "assistant:write" })
    expect((await client.auth.test()).response_metadata?.scopes).not.toContain("assistant:write")
    expect(fake.thread(town, root.ts)).toHaveLength(1)
  })
})

describe("rate limits", () => {
  it("chat.update past 50 in a minute gets 429 with Retry-After; a forced 429 too; both are counted", async () => {
    const posted = await client.chat.postMessage({ channel: town.id, text: "v0" })
    for (let i = 1; i <= 50; i++) await client.chat.update({ channel: town.id, ts: posted.ts ?? "", text: `v${i}` })
    const err = await client.chat.update({ channel: town.id, ts: posted.ts ?? "", text: "v51" }).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(WebAPIRateLimitedError)
    const retryAfter = (err as WebAPIRateLimitedError).retryAfter
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(fake.message(town, posted.ts ?? "")?.text).toBe("v50")

    fake.forceRateLimit("reactions.add", 1, 7)
    const forced = await client.reactions.add({ channel: town.id, timestamp: posted.ts ?? "", name: "eyes" }).then(() => undefined, (e: unknown) => e)
    expect((forced as WebAPIRateLimitedError).retryAfter).toBe(7)
    await client.reactions.add({ channel: town.id, timestamp: posted.ts ?? "", name: "eyes" })
    expect(fake.stats()).toMatchObject({ rateLimited: { "chat.update": 1, "reactions.add": 1 }, rateLimitedTotal: 2 })
    expect(fake.requests({ method: "reactions.add" }).map((r) => r.status)).toEqual([429, 200])
  })
})

describe("files", () => {
  it("files.uploadV2 lands in a thread; a person's file downloads only with the bot token", async () => {
    const seen = new Seen()
    await startApp((app) => app.event("message", async ({ event }) => seen.push(event)))
    const root = fake.postAs(alice, { channel: town, text: "send the log" })
    const log = Buffer.from("line 1\nline 2\n")
    await client.files.uploadV2({ channel_id: town.id, thread_ts: root.ts, file: log, filename: "build.log", initial_comment: "here" })
    const shared = fake.thread(town, root.ts)[1]
    expect(shared).toMatchObject({ user: fake.bot.userId, text: "here", subtype: "file_share", files: [{ name: "build.log" }] })
    expect(shared?.rendered).toBe("here\n[file: build.log]")
    expect(fake.fileData(String(shared?.files[0]?.id))?.toString()).toBe("line 1\nline 2\n")

    const upload = fake.uploadFile(alice, { name: "diff.patch", data: "--- a\n+++ b\n" })
    fake.postAs(alice, { channel: town, text: "please review", files: [upload] })
    const event = await seen.until((s) => s.find((e) => e.subtype === "file_share" && e.user === alice.id), "file_share")
    const file = (event.files as Json[])[0] ?? {}
    expect(file).toMatchObject({ id: upload.id, name: "diff.patch", mimetype: "text/x-diff", size: 12 })
    const url = String(file.url_private_download)
    const withToken = await fetch(url, { headers: { Authorization: `Bearer ${fake.bot.token}` } })
    expect(withToken.status).toBe(200)
    expect(await withToken.text()).toBe("--- a\n+++ b\n")
    const anonymous = await fetch(url)
    expect(anonymous.headers.get("content-type")).toContain("text/html")
    expect(fake.stats().downloads).toEqual({ served: 1, refused: 1 })
  })
})

describe("reconnects", () => {
  it("a disconnect frame, a dropped socket and refused sockets all end in a new connection that still gets events", async () => {
    const lines: LogLine[] = []
    const seen = new Seen()
    await startApp((app) => app.event("message", async ({ event }) => seen.push(event)), { clientPingTimeout: 500, logger: recordingLogger(lines) })
    expect(fake.sendDisconnect("refresh_requested")).toBe(1)
    await fake.waitFor((f) => f.stats().ws.total >= 2 && f.connections() === 1, { what: "reconnect after disconnect" })
    fake.dropSockets()
    await fake.waitFor((f) => f.stats().ws.total >= 3 && f.connections() === 1, { what: "reconnect after drop" })
    fake.refuseSockets(true)
    fake.dropSockets()
    await fake.waitFor((f) => f.stats().ws.rejected >= 1, { what: "a refused attempt" })
    fake.refuseSockets(false)
    await fake.waitFor((f) => f.connections() === 1, { what: "reconnect once allowed" })
    expect(fake.stats().calls["apps.connections.open"]).toBeGreaterThanOrEqual(4)
    fake.postAs(alice, { channel: town, text: "still there?" })
    expect(await seen.until((s) => s[0], "an event after reconnecting")).toMatchObject({ text: "still there?" })
  })
})
