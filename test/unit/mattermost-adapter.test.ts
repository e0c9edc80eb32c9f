// The Mattermost adapter driving the REAL @mattermost/client against the fake server: assertions
// read what the fake stores (what a person would see) and what reaches the sink, never mocks.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { MattermostAdapter } from "../../adapters/mattermost/adapter.ts"
import { skipReason, stripMention } from "../../adapters/mattermost/inbound/posted.ts"
import type { MattermostOptions } from "../../adapters/mattermost/options.ts"
import { decodeMessage, decodeThread, encodeMessage, encodeThread } from "../../adapters/mattermost/refs.ts"
import { signContext } from "../../adapters/mattermost/signing.ts"
import { ChatError, RateLimitError } from "../../src/chat/errors.ts"
import type {
  ActionEvent,
  ChatEvent,
  ChatReply,
  ChatSink,
  HttpRoute,
  MessageEvent,
  ReactionEvent,
} from "../../src/chat/types.ts"
import { silentLogger } from "../../src/log/logger.ts"
import {
  startFakeMattermost,
  type Channel,
  type FakeMattermostOptions,
  type FakeMattermost,
  type Json,
  type UserHandle,
} from "../harness/mattermost/index.ts"

const SECRET = "test-secret-0123456789abcdef"

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

  message(text: string): Promise<MessageEvent> {
    return this.until((es) => es.find((e): e is MessageEvent => e.kind === "message" && e.text === text), `message "${text}"`)
  }

  get messages(): MessageEvent[] {
    return this.events.filter((e): e is MessageEvent => e.kind === "message")
  }
}

/** Serves the adapter's routes over HTTP, as the relay's server does, so the fake can POST clicks. */
async function serveRoutes(routes: () => HttpRoute[]): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const url = new URL(req.url ?? "/", "http://relay.test")
    const route = routes().find((r) => r.method === req.method && r.path === url.pathname)
    if (!route) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "no route" }))
      return
    }
    const headers: Record<string, string | undefined> = {}
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v
    const out = await route.handle({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers, body: Buffer.concat(chunks) })
    res.writeHead(out.status, out.headers).end(out.body ?? "")
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

interface Harness {
  fm: FakeMattermost
  alice: UserHandle
  bob: UserHandle
  teamId: string
  town: Channel
  adapter: MattermostAdapter
  sink: Sink
  publicUrl: string
  close(): Promise<void>
}

async function harness(opts: { fake?: FakeMattermostOptions; adapter?: Partial<MattermostOptions>; buttons?: boolean } = {}): Promise<Harness> {
  const fm = await startFakeMattermost(opts.fake)
  const alice = fm.addUser({ username: "alice", firstName: "Alice", lastName: "Liddell", roles: "system_user system_admin" })
  const bob = fm.addUser({ username: "bob" })
  const teamId = fm.addTeam({ name: "core", members: [fm.bot.id, alice.id, bob.id] }).id
  const town = fm.addChannel({ teamId, name: "town-square", type: "O", members: [fm.bot.id, alice.id, bob.id] })
  let adapter: MattermostAdapter | undefined
  const bridge = await serveRoutes(() => adapter?.routes() ?? [])
  adapter = new MattermostAdapter({
    url: fm.url,
    token: fm.bot.token,
    log: silentLogger,
    webSocket: { minRetryMs: 200, jitterMs: 10 },
    ...(opts.buttons === false ? {} : { publicUrl: bridge.url, secret: SECRET }),
    ...opts.adapter,
  })
  const sink = new Sink()
  await adapter.start(sink.fn)
  const started = adapter
  return {
    fm,
    alice,
    bob,
    teamId,
    town,
    adapter: started,
    sink,
    publicUrl: bridge.url,
    close: async () => {
      await started.stop()
      await new Promise((r) => bridge.server.close(r))
      await fm.close()
    },
  }
}

let h: Harness

beforeEach(async () => {
  h = await harness()
})

afterEach(async () => {
  await h.close()
  expect(h.fm.connections()).toBe(0)
})

const failure = (p: Promise<unknown>) => p.then(() => expect.fail("expected a failure"), (e: unknown) => e)

describe("refs and options", () => {
  it("thread and message refs round-trip and carry the platform prefix", () => {
    const thread = encodeThread({ team: "t1", channel: "c1", root: "p1" })
    expect(thread).toBe("mattermost:t1:c1:p1")
    expect(decodeThread(thread)).toEqual({ team: "t1", channel: "c1", root: "p1" })
    const dm = encodeThread({ team: "", channel: "d1", root: "" })
    expect(dm).toBe("mattermost::d1:")
    expect(decodeThread(dm)).toEqual({ team: "", channel: "d1", root: "" })
    const msg = encodeMessage({ channel: "c1", post: "p2" })
    expect(msg).toBe("mattermost:c1:p2")
    expect(decodeMessage(msg)).toEqual({ channel: "c1", post: "p2" })
    for (const bad of ["slack:t:c:r", "mattermost:c1", "mattermost:t:c:r:x", "mattermost:t::r"]) {
      expect(() => decodeThread(bad)).toThrow(ChatError)
    }
    expect(() => decodeMessage("mattermost:c1:")).toThrow(/no post id/)
    expect(h.adapter.scopeOf(thread)).toEqual({ channel: "c1", workspace: "mattermost" })
    expect(h.adapter.scopeOf(msg)).toEqual({ channel: "c1", workspace: "mattermost" })
  })

  it("needs a secret with publicUrl; capabilities follow the server and the options", () => {
    expect(() => new MattermostAdapter({ url: h.fm.url, token: "x", publicUrl: "http://relay", log: silentLogger })).toThrow(
      /secret.*required.*publicUrl/,
    )
    expect(h.adapter.capabilities).toMatchObject({
      maxMessageLength: 16383 - 100,
      softMessageLength: 3000,
      markdown: "gfm",
      buttons: true,
      selects: true,
      reactions: true,
      ephemeral: true,
      maxActions: 5,
      maxActionLabel: 50,
    })
    expect(h.adapter.capabilities.maxEditAgeMs).toBeUndefined()
    expect(h.adapter.routes().map((r) => [r.method, r.path])).toEqual([["POST", "/mattermost/actions"]])
    const plain = new MattermostAdapter({ url: h.fm.url, token: "x", log: silentLogger })
    expect([plain.capabilities.buttons, plain.capabilities.selects, plain.routes()]).toEqual([false, false, []])
  })

  it("mention stripping and the skip rules", () => {
    expect(stripMention("@switchboard deploy", "switchboard")).toEqual({ text: "deploy", found: true })
    expect(stripMention("hey @Switchboard, deploy now", "switchboard")).toEqual({ text: "hey deploy now", found: true })
    expect(stripMention("ask @switchboard.", "switchboard")).toEqual({ text: "ask .", found: true })
    expect(stripMention("mail bob@switchboard or @switchboard2", "switchboard").found).toBe(false)
    const post = { id: "p", user_id: "u", type: "", props: {}, delete_at: 0 } as never as Parameters<typeof skipReason>[0]
    expect(skipReason(post, "bot")).toBeUndefined()
    expect(skipReason({ ...post, user_id: "bot" }, "bot")).toBe("own post")
    // Bot posts are reported (marked as bots); whether they count is the core's access rule.
    expect(skipReason({ ...post, props: { from_bot: "true" } }, "bot")).toBeUndefined()
    expect(skipReason({ ...post, type: "system_join_channel" }, "bot")).toMatch(/system post/)
  })
})

describe("inbound posts", () => {
  it("a mention becomes a MessageEvent starting a thread, with the mention stripped", async () => {
    const { fm, alice, town, sink, teamId } = h
    const post = fm.postAs(alice.id, { channel_id: town.id, message: "@switchboard please deploy" })
    const ev = await sink.message("please deploy")
    expect(ev).toMatchObject({
      kind: "message",
      platform: "mattermost",
      workspace: teamId,
      channel: town.id,
      thread: `mattermost:${teamId}:${town.id}:${post.id}`,
      id: post.id,
      at: post.create_at,
      message: `mattermost:${town.id}:${post.id}`,
      mentioned: true,
      space: "channel",
      channelName: town.name,
      threadStart: true,
      files: [],
      user: { id: alice.id, name: "alice", displayName: "Alice Liddell", isBot: false, groups: ["system_user", "system_admin"] },
    })
  })

  it("a reply in the thread maps to the same thread; the bot's reply lands in it", async () => {
    const { fm, alice, town, sink, adapter } = h
    const root = fm.postAs(alice.id, { channel_id: town.id, message: "@switchboard start" })
    const first = await sink.message("start")
    const ref = await adapter.post(first.thread, { text: "on it" })
    expect(fm.post(decodeMessage(ref).post)).toMatchObject({ root_id: root.id, message: "on it", user_id: fm.bot.id })
    fm.postAs(alice.id, { channel_id: town.id, root_id: root.id, message: "more detail" })
    const reply = await sink.message("more detail")
    expect(reply).toMatchObject({ thread: first.thread, threadStart: false, mentioned: false })
    expect(fm.thread(root.id).map((p) => p.message)).toEqual(["@switchboard start", "on it", "more detail"])
  })

  it("a DM's top level is one thread with root \"\"; the bot answers at the top level", async () => {
    const { fm, alice, sink, adapter } = h
    const dm = fm.directChannel(alice.id, fm.bot.id)
    const post = fm.postAs(alice.id, { channel_id: dm.id, message: "hello there" })
    const ev = await sink.message("hello there")
    expect(ev).toMatchObject({ space: "direct", mentioned: true, threadStart: false, workspace: "", thread: `mattermost::${dm.id}:`, id: post.id })
    const ref = await adapter.post(ev.thread, { text: "hi alice" })
    expect(fm.post(decodeMessage(ref).post)).toMatchObject({ channel_id: dm.id, root_id: "", message: "hi alice" })
  })

  it("ignores its own posts; reports other bots and webhook posts as bots; @channel is not a mention", async () => {
    const { fm, alice, town, sink, adapter, teamId } = h
    const other = fm.addUser({ username: "ci-bot", isBot: true })
    await adapter.post(encodeThread({ team: teamId, channel: town.id, root: "" }), { text: "I am the bot @switchboard" })
    const chan = fm.addChannel({ teamId, name: "builds", members: [fm.bot.id, other.id, alice.id] })
    fm.postAs(other.id, { channel_id: chan.id, message: "@switchboard build failed" })
    fm.postAsWebhook(alice.id, { channel_id: town.id, message: "@switchboard deploy from CI", username: "deploy-hook" })
    fm.postAs(alice.id, { channel_id: town.id, message: "@channel lunch" })
    fm.postAs(alice.id, { channel_id: chan.id, message: "sentinel" })
    fm.postAs(alice.id, { channel_id: town.id, message: "town sentinel" })
    await sink.message("sentinel")
    await sink.message("town sentinel")
    expect(sink.events.map((e) => (e as MessageEvent).text).sort()).toEqual(["@channel lunch", "build failed", "deploy from CI", "sentinel", "town sentinel"])
    const byText = (t: string) => sink.messages.find((e) => e.text === t)!
    expect(byText("build failed").user).toMatchObject({ id: other.id, isBot: true })
    // A webhook runs under alice's account, but it is not alice speaking.
    expect(byText("deploy from CI").user).toEqual({ id: `webhook:${alice.id}`, name: "deploy-hook", displayName: "deploy-hook", isBot: true, webhook: true })
    expect(byText("@channel lunch").mentioned).toBe(false)
  })

  it("honours the channel allow-list (by name), DMs always pass", async () => {
    await h.close()
    h = await harness({ adapter: { channels: ["~town-square"] } })
    const { fm, alice, town, sink, teamId } = h
    const random = fm.addChannel({ teamId, name: "random", members: [fm.bot.id, alice.id] })
    fm.postAs(alice.id, { channel_id: random.id, message: "@switchboard not here" })
    const dm = fm.directChannel(alice.id, fm.bot.id)
    fm.postAs(alice.id, { channel_id: dm.id, message: "in a dm" })
    fm.postAs(alice.id, { channel_id: town.id, message: "@switchboard here" })
    await sink.message("here")
    await sink.message("in a dm")
    expect(sink.messages.map((e) => e.text).sort()).toEqual(["here", "in a dm"])
  })

  it("with a team set, only that team's channels and its members' DMs are served; an unknown team is a clear error", async () => {
    await h.close()
    h = await harness({ adapter: { team: "core" } })
    const { fm, alice, town, sink } = h
    const ops = fm.addTeam({ name: "ops", members: [fm.bot.id, alice.id] })
    const outsider = fm.addUser({ username: "outsider" })
    fm.addTeam({ name: "elsewhere", members: [fm.bot.id, outsider.id] })
    const elsewhere = fm.addChannel({ teamId: ops.id, name: "town-square", type: "O", members: [fm.bot.id, alice.id] })
    fm.postAs(alice.id, { channel_id: elsewhere.id, message: "@switchboard other team" })
    fm.postAs(outsider.id, { channel_id: fm.directChannel(outsider.id, fm.bot.id).id, message: "dm from outside the team" })
    fm.postAs(alice.id, { channel_id: fm.directChannel(alice.id, fm.bot.id).id, message: "in a dm" })
    fm.postAs(alice.id, { channel_id: town.id, message: "@switchboard core team" })
    await sink.message("in a dm")
    await sink.message("core team")
    expect(sink.messages.map((e) => e.text).sort()).toEqual(["core team", "in a dm"])
    const stray = new MattermostAdapter({ url: fm.url, token: fm.bot.token, log: silentLogger, team: "nope" })
    await expect(stray.start(sink.fn)).rejects.toThrow(/not a member of team "nope" \(its teams: core, ops, elsewhere\)/)
  })

  it("attached files arrive with their info and download through ChatFile.fetch", async () => {
    const { fm, alice, town, sink } = h
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255])
    const info = fm.uploadAs(alice.id, town.id, { name: "shot.png", mime: "image/png", data: png })
    fm.postAs(alice.id, { channel_id: town.id, message: "@switchboard look", file_ids: [info.id] })
    const ev = await sink.message("look")
    expect(ev.files.map((f) => [f.id, f.name, f.mime, f.size])).toEqual([[info.id, "shot.png", "image/png", 8]])
    expect(Buffer.from(await ev.files[0]!.fetch({ maxBytes: 1024 }))).toEqual(png)
    // The cap is enforced while reading: over it, the download fails as too large.
    const err = await ev.files[0]!.fetch({ maxBytes: 4 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChatError)
    expect((err as ChatError).code).toBe("too_large")
  })
})

describe("outbound", () => {
  const approval = {
    text: "Run `rm -rf build`?",
    actions: [
      { id: "perm:r1:once", label: "Approve", style: "primary" as const },
      { id: "perm:r1:reject", label: "Reject", style: "danger" as const },
    ],
  }

  it("buttons become attachment actions with alphanumeric ids and signed contexts; an edit without actions removes them", async () => {
    const { fm, town, adapter, teamId, publicUrl } = h
    const thread = encodeThread({ team: teamId, channel: town.id, root: "" })
    const ref = await adapter.post(thread, approval)
    const id = decodeMessage(ref).post
    const shown = fm.post(id)!
    expect(shown.message).toBe("Run `rm -rf build`?")
    expect(shown.props.attachments).toEqual([
      {
        text: "",
        actions: [
          { id: "a0", type: "button", name: "Approve", style: "primary" },
          { id: "a1", type: "button", name: "Reject", style: "danger" },
        ],
      },
    ])
    expect(fm.callbackUrlOf(id, "a0")).toBe(`${publicUrl}/mattermost/actions`)
    const ctx = fm.contextOf(id, "a1") as Json
    // Signed for this post; without a deadline in the message, valid at most a day.
    expect(ctx).toMatchObject({ action: "perm:r1:reject", post: id, sig: expect.stringMatching(/^[0-9a-f]{64}$/) })
    const hours = ((ctx.exp as number) * 1000 - Date.now()) / 3_600_000
    expect(hours).toBeGreaterThan(23.9)
    expect(hours).toBeLessThanOrEqual(24)
    const deadline = Date.now() + 90_000
    const timed = await adapter.post(thread, { ...approval, actionsExpireAt: deadline })
    expect((fm.contextOf(decodeMessage(timed).post, "a0") as Json).exp).toBe(Math.floor(deadline / 1000))

    await adapter.edit(ref, { text: "Run it? (choose)", actions: [{ id: "x", label: "Only one" }] })
    expect(fm.post(id)).toMatchObject({
      message: "Run it? (choose)",
      props: { attachments: [{ actions: [{ id: "a0", name: "Only one", style: "default" }] }] },
    })
    await adapter.edit(ref, { text: "Approved by @alice" })
    expect(fm.post(id)?.message).toBe("Approved by @alice")
    expect(fm.post(id)?.props.attachments).toEqual([])
    expect(fm.post(id)?.props.from_bot).toBe("true")
  })

  it("a click reaches the sink as an ActionEvent; the core's ephemeral reply reaches the clicker", async () => {
    const { fm, alice, town, adapter, sink, teamId } = h
    const root = fm.postAs(alice.id, { channel_id: town.id, message: "@switchboard rm it" })
    const ask = await sink.message("rm it")
    const ref = await adapter.post(ask.thread, approval)
    const id = decodeMessage(ref).post
    sink.reply = (e) => (e.kind === "action" ? { ephemeral: "Approved once. <not|slack>" } : undefined)
    const result = await fm.click(id, "a0", alice.id)
    const click = sink.events.find((e): e is ActionEvent => e.kind === "action")
    expect(click).toMatchObject({
      kind: "action",
      platform: "mattermost",
      workspace: teamId,
      channel: town.id,
      thread: `mattermost:${teamId}:${town.id}:${root.id}`,
      message: ref,
      actionId: "perm:r1:once",
      id: result.trigger_id,
      user: { id: alice.id, name: "alice" },
    })
    expect(click?.value).toBeUndefined()
    expect(fm.ephemerals(alice.id).map((p) => [p.message, p.root_id])).toEqual([["Approved once. <not|slack>", root.id]])
    expect(fm.ephemerals(h.bob.id)).toEqual([])
    // No `update`: the post is unchanged until delivery edits it.
    expect(fm.post(id)?.message).toBe(approval.text)
  })

  it("a select's chosen value arrives as the event value", async () => {
    const { fm, alice, town, adapter, sink, teamId } = h
    const ref = await adapter.post(encodeThread({ team: teamId, channel: town.id, root: "" }), {
      text: "Which mode?",
      select: { id: "q:7", placeholder: "Pick a mode", options: [{ value: "fast", label: "Fast" }, { value: "safe", label: "Safe" }] },
    })
    const id = decodeMessage(ref).post
    expect(fm.post(id)?.props.attachments).toEqual([
      { text: "", actions: [{ id: "s0", type: "select", name: "Pick a mode", options: [{ text: "Fast", value: "fast" }, { text: "Safe", value: "safe" }] }] },
    ])
    await fm.click(id, "s0", alice.id, "safe")
    const ev = await sink.until((es) => es.find((e): e is ActionEvent => e.kind === "action"), "select action")
    expect([ev.actionId, ev.value, ev.thread]).toEqual(["q:7", "safe", `mattermost:${teamId}:${town.id}:${id}`])
    expect(fm.ephemerals(alice.id)).toEqual([])
  })

  it("forged, expired, replayed and malformed callbacks are refused without reaching the sink", async () => {
    const { fm, alice, town, adapter, sink, teamId, publicUrl } = h
    const ref = await adapter.post(encodeThread({ team: teamId, channel: town.id, root: "" }), approval)
    const id = decodeMessage(ref).post
    await fm.click(id, "a0", alice.id)
    expect(sink.events.filter((e) => e.kind === "action")).toHaveLength(1)
    const url = `${publicUrl}/mattermost/actions`
    const send = async (body: unknown) => {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) })
      return { status: res.status, json: (await res.json()) as { error?: string } }
    }
    const real = fm.clicks()[0]!.request
    const replay = await send(real)
    expect(replay).toMatchObject({ status: 403, json: { error: expect.stringMatching(/already handled/) } })

    const ctx = real.context as Json
    const forged = await send({ ...real, trigger_id: "t-forged", context: { ...ctx, action: "perm:r1:always" } })
    expect(forged).toMatchObject({ status: 401, json: { error: expect.stringMatching(/signature/) } })
    const badSig = await send({ ...real, trigger_id: "t-badsig", context: { ...ctx, sig: "0".repeat(64) } })
    expect(badSig.status).toBe(401)

    const stale = signContext(SECRET, "perm:r1:once", id, Date.now() - 60_000)
    const expired = await send({ ...real, trigger_id: "t-expired", context: stale })
    expect(expired).toMatchObject({ status: 200, json: { ephemeral_text: expect.stringMatching(/expired/) } })

    // A genuine context copied onto another of the bot's posts: refused.
    const other = decodeMessage(await adapter.post(encodeThread({ team: teamId, channel: town.id, root: "" }), approval)).post
    const moved = await send({ ...real, post_id: other, trigger_id: "t-moved" })
    expect(moved).toMatchObject({ status: 403, json: { error: expect.stringMatching(/another post/) } })

    expect((await send("not json")).status).toBe(400)
    expect(await send({ ...real, context: undefined })).toMatchObject({ status: 400, json: { error: expect.stringMatching(/context/) } })
    const direct = await adapter.routes()[0]!.handle({
      method: "POST",
      path: "/mattermost/actions",
      query: new URLSearchParams(),
      headers: {},
      body: Buffer.from(JSON.stringify({ user_id: alice.id, post_id: id })),
    })
    expect(direct.status).toBe(400)
    expect(JSON.parse(direct.body ?? "{}").error).toMatch(/^malformed Mattermost action callback: "trigger_id"/)
    expect(sink.events.filter((e) => e.kind === "action")).toHaveLength(1)
  })

  it("delete, react, typing, ephemeral and upload show up as a person would see them", async () => {
    const { fm, alice, bob, town, adapter, sink } = h
    const root = fm.postAs(alice.id, { channel_id: town.id, message: "@switchboard go" })
    const ev = await sink.message("go")
    await adapter.react(ev.message, "👀")
    await adapter.react(ev.message, ":white_check_mark:")
    expect(fm.reactions(root.id).map((r) => [r.user_id, r.emoji_name])).toEqual([
      [fm.bot.id, "eyes"],
      [fm.bot.id, "white_check_mark"],
    ])
    await adapter.typing(ev.thread)
    expect(fm.typingEvents()).toMatchObject([{ userId: fm.bot.id, channelId: town.id, parentId: root.id }])
    await adapter.ephemeral(ev.thread, alice.id, "only you see this")
    expect(fm.ephemerals(alice.id).map((p) => [p.message, p.root_id])).toEqual([["only you see this", root.id]])
    expect(fm.ephemerals(bob.id)).toEqual([])
    const file = await adapter.upload(ev.thread, { name: "diff.patch", mime: "text/x-diff", data: new TextEncoder().encode("+ added\n") }, "the patch")
    const shown = fm.post(decodeMessage(file).post)!
    expect([shown.root_id, shown.message, shown.metadata.files?.map((f) => [f.name, f.size])]).toEqual([root.id, "the patch", [["diff.patch", 8]]])
    const gone = await adapter.post(ev.thread, { text: "temporary" })
    await adapter.delete(gone)
    expect(fm.thread(root.id).map((p) => [p.message, p.deleted])).toEqual([
      ["@switchboard go", false],
      ["the patch", false],
      ["temporary", true],
    ])
    fm.postAs(alice.id, { channel_id: town.id, message: "sentinel" })
    await sink.message("sentinel")
    expect(sink.events.map((e) => e.kind)).toEqual(["message", "message"])
  })
})

describe("failures are classified", () => {
  const thread = () => encodeThread({ team: h.teamId, channel: h.town.id, root: "" })

  it("over the length limit → too_long, for posts and edits", async () => {
    const long = "x".repeat(16384)
    const err = await failure(h.adapter.post(thread(), { text: long }))
    expect(err).toBeInstanceOf(ChatError)
    expect(err).toMatchObject({ code: "too_long", message: expect.stringMatching(/post to channel .*HTTP 400.*model\.post\.is_valid\.msg\.app_error/) })
    const ref = await h.adapter.post(thread(), { text: "short" })
    expect(await failure(h.adapter.edit(ref, { text: long }))).toMatchObject({ code: "too_long" })
    expect(h.fm.post(decodeMessage(ref).post)?.message).toBe("short")
  })

  it("a 429 → RateLimitError with the server's Retry-After; 503 → transient", async () => {
    const ref = await h.adapter.post(thread(), { text: "v1" })
    h.fm.forceRateLimit(1, { retryAfterSec: 3 })
    const limited = await failure(h.adapter.edit(ref, { text: "v2" }))
    expect(limited).toBeInstanceOf(RateLimitError)
    expect(limited).toMatchObject({ code: "rate_limited", retryAfterMs: 3000, scope: "workspace" })
    h.fm.failNext(1, 503)
    expect(await failure(h.adapter.edit(ref, { text: "v2" }))).toMatchObject({ code: "transient", message: expect.stringMatching(/HTTP 503/) })
    await h.adapter.edit(ref, { text: "v2" })
    expect(h.fm.post(decodeMessage(ref).post)?.message).toBe("v2")
  })

  it("editing a deleted post → not_found; an unreachable server → transient", async () => {
    const ref = await h.adapter.post(thread(), { text: "soon gone" })
    await h.adapter.delete(ref)
    expect(await failure(h.adapter.edit(ref, { text: "again" }))).toMatchObject({ code: "not_found" })
    const offline = new MattermostAdapter({ url: "http://127.0.0.1:9", token: "t", log: silentLogger })
    expect(await failure(offline.edit(ref, { text: "x" }))).toMatchObject({ code: "transient", message: expect.stringMatching(/network error/) })
  })

  it("past PostEditTimeLimit → too_old, and the capability says so", async () => {
    await h.close()
    h = await harness({ fake: { postEditTimeLimitSeconds: 0 } })
    expect(h.adapter.capabilities.maxEditAgeMs).toBe(0)
    const ref = await h.adapter.post(thread(), { text: "old" })
    const created = h.fm.post(decodeMessage(ref).post)!.create_at
    // A time rule, not an event: let the wall clock pass the post's create_at.
    await new Promise((r) => setTimeout(r, Math.max(0, created - Date.now()) + 2))
    expect(await failure(h.adapter.edit(ref, { text: "new" }))).toMatchObject({
      code: "too_old",
      message: expect.stringMatching(/permissions_time_limit/),
    })
  })
})

describe("socket events and recovery", () => {
  it("reactions in and out become ReactionEvents; the bot's own are ignored", async () => {
    const { fm, alice, town, adapter, sink, teamId } = h
    const ref = await adapter.post(encodeThread({ team: teamId, channel: town.id, root: "" }), { text: "approve?" })
    const id = decodeMessage(ref).post
    await adapter.react(ref, "hourglass_flowing_sand")
    fm.reactAs(alice.id, id, "white_check_mark")
    const added = await sink.until((es) => es.find((e): e is ReactionEvent => e.kind === "reaction" && e.added), "reaction added")
    expect(added).toMatchObject({
      message: ref,
      emoji: "white_check_mark",
      added: true,
      thread: `mattermost:${teamId}:${town.id}:${id}`,
      channel: town.id,
      workspace: teamId,
      user: { id: alice.id, name: "alice" },
    })
    fm.unreactAs(alice.id, id, "white_check_mark")
    const removed = await sink.until((es) => es.find((e): e is ReactionEvent => e.kind === "reaction" && !e.added), "reaction removed")
    expect(removed).toMatchObject({ message: ref, emoji: "white_check_mark", added: false })
    expect(removed.id).not.toBe(added.id)
    expect(sink.events.map((e) => e.kind)).toEqual(["reaction", "reaction"])
  })

  it("posts made while the socket is down reach the sink exactly once after it reconnects", async () => {
    const { fm, alice, town, sink, teamId } = h
    const root = fm.postAs(alice.id, { channel_id: town.id, message: "@switchboard before" })
    await sink.message("before")
    const connections = fm.stats().wsConnectionsTotal

    fm.setSocketsRefused(true)
    fm.dropSockets()
    const dm = fm.directChannel(alice.id, fm.bot.id)
    const missed = [
      fm.postAs(alice.id, { channel_id: town.id, root_id: root.id, message: "missed reply" }),
      fm.postAs(alice.id, { channel_id: dm.id, message: "missed dm" }),
      fm.postAs(alice.id, { channel_id: town.id, message: "@switchboard missed top" }),
    ]
    expect(fm.connections()).toBe(0)
    fm.setSocketsRefused(false)
    await sink.message("missed top")
    await sink.message("missed reply")
    await sink.message("missed dm")
    expect(fm.stats().wsConnectionsTotal).toBe(connections + 1)
    fm.postAs(alice.id, { channel_id: town.id, message: "live again" })
    fm.postAs(alice.id, { channel_id: dm.id, message: "dm live again" })
    await sink.message("live again")
    await sink.message("dm live again")

    const ids = sink.messages.map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    const byId = new Map(sink.messages.map((e) => [e.id, e]))
    expect(missed.map((p) => byId.get(p.id)?.thread)).toEqual([
      `mattermost:${teamId}:${town.id}:${root.id}`,
      `mattermost::${dm.id}:`,
      `mattermost:${teamId}:${town.id}:${missed[2]!.id}`,
    ])
    expect(byId.get(missed[2]!.id)).toMatchObject({ mentioned: true, threadStart: true, text: "missed top" })
    expect(byId.get(missed[1]!.id)).toMatchObject({ space: "direct", mentioned: true })
    // One channel's posts reach the core in the order they were made.
    const town_ = sink.messages.filter((e) => e.channel === town.id).map((e) => e.text)
    expect(town_).toEqual(["before", "missed reply", "missed top", "live again"])
  })
})
