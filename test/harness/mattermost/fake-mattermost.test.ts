// Drives the REAL @mattermost/client (Client4 + WebSocketClient) against the fake and asserts on
// what a person would see. Doubles as executable documentation of the client's quirks.
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import mattermost from "@mattermost/client"
import type { WebSocketMessage } from "@mattermost/client"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { CloseEventPolyfill, ensureWebSocketGlobals, wsWebSocketFn } from "../../../adapters/mattermost/node-websocket.ts"
import { startFakeMattermost, type Channel, type FakeMattermost, type Json, type UserHandle } from "./index.ts"

const { Client4, WebSocketClient, ClientError } = mattermost
type Client = InstanceType<typeof Client4>
type Socket = InstanceType<typeof WebSocketClient>

/** `doFetchWithResponse` is public at runtime but `private` in the typings (quirk). */
interface RawFetch {
  doFetchWithResponse(url: string, opts: Json): Promise<{ response: Response; headers: Map<string, string>; data: unknown }>
}
const raw = (c: Client) => c as unknown as RawFetch

let fm: FakeMattermost
let alice: UserHandle
let town: Channel
let teamId: string
const clients: BotSocket[] = []
const servers: Server[] = []

function client(token: string): Client {
  const c = new Client4()
  c.setUrl(fm.url)
  c.setToken(token)
  return c
}

/**
 * Collects a WebSocketClient's events and counters; `until` re-checks on each callback, so a wait
 * ends on the event it waits for. Its timeout only reports a hang: it is as generous as the
 * fake's own `waitFor`, so a busy machine that runs timers late is not a failure. `close` is a
 * real close: the client's own only closes an OPEN socket, and one still connecting (a reconnect
 * under way when a test ends) would open later into whatever listens on that port next.
 */
class BotSocket {
  readonly events: WebSocketMessage[] = []
  readonly count = { reconnects: 0, missed: 0, closes: 0 }
  readonly ws: Socket
  private readonly waiters = new Set<() => void>()
  private closing = false

  constructor(token: string, extra: { newWebSocketFn?: (url: string) => WebSocket } = {}) {
    ensureWebSocketGlobals()
    this.ws = new WebSocketClient({ minWebSocketRetryTime: 200, reconnectJitterRange: 10, ...extra })
    clients.push(this)
    const poke = () => this.waiters.forEach((w) => w())
    // Opened or closed while closing: close again once the client's handler is done (a close
    // handler schedules the next attempt after the listeners ran; close() clears it).
    const reclose = () => void (this.closing && queueMicrotask(() => this.ws.close()))
    this.ws.addFirstConnectListener(reclose)
    this.ws.addMessageListener((m) => (this.events.push(m), poke()))
    this.ws.addMissedMessageListener(() => (this.count.missed++, poke()))
    this.ws.addReconnectListener(() => (this.count.reconnects++, poke(), reclose()))
    this.ws.addCloseListener(() => (this.count.closes++, poke(), reclose()))
    this.ws.initialize(client(token).getWebSocketUrl(), token)
  }

  close(): void {
    this.closing = true
    this.ws.close()
  }

  until<T>(fn: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = fn()
        if (v) {
          this.waiters.delete(check)
          clearTimeout(timer)
          resolve(v)
        }
      }
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        reject(new Error(`timed out waiting for ${what}; events: ${this.events.map((e) => `${e.event}#${e.seq}`).join(" ")}`))
      }, timeoutMs)
      this.waiters.add(check)
      check()
    })
  }

  event(name: string, match: (data: Record<string, unknown>) => boolean = () => true) {
    return this.until(() => this.events.find((e) => e.event === name && match(e.data as Record<string, unknown>)), name)
  }
}

const postIn = (data: Record<string, unknown>) => JSON.parse(data.post as string) as Json & { id: string; message: string }

async function integrationServer(answer: (body: Json) => { status?: number; json?: unknown }) {
  const calls: Json[] = []
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = JSON.parse(Buffer.concat(chunks).toString()) as Json
    calls.push(body)
    const a = answer(body)
    res.writeHead(a.status ?? 200, { "Content-Type": "application/json" })
    res.end(a.json === undefined ? "" : JSON.stringify(a.json))
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls }
}

beforeEach(async () => {
  fm = await startFakeMattermost()
  alice = fm.addUser({ username: "alice", firstName: "Alice" })
  teamId = fm.addTeam({ name: "core", members: [fm.bot.id, alice.id] }).id
  town = fm.addChannel({ teamId, name: "town-square", displayName: "Town Square", type: "O", members: [fm.bot.id, alice.id] })
})

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  // Let the close handshakes finish before the fake goes away (else the client logs an error).
  await fm.waitFor((f) => f.connections() === 0, { what: "sockets closed" })
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
  await fm.close()
})

describe("REST through Client4", () => {
  it("identity, config, teams and channels", async () => {
    const bot = client(fm.bot.token)
    const me = await bot.getMe()
    expect(me).toMatchObject({ id: fm.bot.id, username: "switchboard", is_bot: true, roles: "system_user" })
    expect((await bot.getClientConfig()).MaxPostSize).toBe("16383")
    expect((await bot.getUser(alice.id)).username).toBe("alice")
    expect((await bot.getUserByUsername("alice")).first_name).toBe("Alice")
    expect((await bot.getProfilesByIds([alice.id, "nope"])).map((u) => u.id)).toEqual([alice.id])
    expect((await bot.getMyTeams()).map((t) => t.id)).toEqual([teamId])
    expect((await bot.getTeam(teamId)).name).toBe("core")
    expect((await bot.getChannelByName(teamId, "town-square")).id).toBe(town.id)
    expect((await bot.getChannel(town.id)).display_name).toBe("Town Square")
    expect((await bot.getChannelMember(town.id, alice.id)).user_id).toBe(alice.id)
    const dm = await bot.createDirectChannel([fm.bot.id, alice.id])
    expect(dm).toMatchObject({ type: "D", name: [fm.bot.id, alice.id].sort().join("__"), team_id: "" })
    expect((await bot.createDirectChannel([alice.id, fm.bot.id])).id).toBe(dm.id)
    expect((await bot.getMyChannels(teamId)).map((c) => c.id).sort()).toEqual([town.id, dm.id].sort())
  })

  it("401 for an unknown token, 404 naming an unknown route", async () => {
    const err = await client("bogus").getMe().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ClientError)
    expect(err).toMatchObject({ status_code: 401, server_error_id: "api.context.session_expired.app_error" })
    const res = await fetch(`${fm.url}/api/v4/no/such/thing`, { headers: { Authorization: `bearer ${fm.bot.token}` } })
    expect(res.status).toBe(404)
    expect(res.headers.get("content-type")).toBe("application/json")
    const body = (await res.json()) as Json
    expect(body).toMatchObject({ status_code: 404, message: expect.stringContaining("GET /api/v4/no/such/thing") })
    expect(Object.keys(body).sort()).toEqual(["detailed_error", "id", "message", "request_id", "status_code"])
  })

  it("posts: root, reply, patch, update, thread, since, list, delete", async () => {
    const bot = client(fm.bot.token)
    const root = await bot.createPost({ channel_id: town.id, message: "working on it" })
    expect(root).toMatchObject({ root_id: "", user_id: fm.bot.id, edit_at: 0, props: { from_bot: "true" } })
    const reply = await bot.createPost({ channel_id: town.id, message: "step 1", root_id: root.id })
    expect(reply.root_id).toBe(root.id)

    const patched = await bot.patchPost({ id: reply.id, message: "step 1 done" })
    expect(patched.edit_at).toBeGreaterThan(0)
    expect(patched.update_at).toBeGreaterThanOrEqual(patched.edit_at)
    expect(fm.post(reply.id)?.message).toBe("step 1 done")

    const human = fm.postAs(alice.id, { channel_id: town.id, message: "thanks", root_id: root.id })
    const thread = await bot.getPostThread(root.id)
    expect(thread.order).toEqual([root.id, reply.id, human.id])
    expect(thread).toMatchObject({ next_post_id: "", prev_post_id: "", has_next: false })
    expect(fm.thread(root.id).map((p) => p.message)).toEqual(["working on it", "step 1 done", "thanks"])
    expect(fm.post(root.id)?.reply_count).toBe(2)

    // Like the real store, a reply bumps its root's update_at, so the root comes back too.
    const since = await bot.getPostsSince(town.id, patched.update_at)
    expect(since.order).toEqual([human.id, root.id])
    const page = await bot.getPosts(town.id, 0, 2)
    expect(page.order).toEqual([human.id, reply.id])

    const updated = await bot.updatePost({ ...root, message: "done" })
    expect(updated.message).toBe("done")
    expect(updated.props).toEqual({ from_bot: "true" })
    await bot.deletePost(reply.id)
    expect(fm.posts({ rootId: root.id }).map((p) => [p.message, p.deleted])).toEqual([
      ["done", false],
      ["step 1 done", true],
      ["thanks", false],
    ])
    const gone = await bot.getPost(reply.id).catch((e: unknown) => e)
    expect(gone).toMatchObject({ status_code: 404, server_error_id: "app.post.get.app_error" })
    expect(fm.stats().edits).toBe(2)
  })

  it("the 16,383-rune limit, the edit window, ownership", async () => {
    const bot = client(fm.bot.token)
    const max = "😀".repeat(16383)
    const ok = await bot.createPost({ channel_id: town.id, message: max })
    expect([...ok.message].length).toBe(16383)
    for (const call of [
      () => bot.createPost({ channel_id: town.id, message: `${max}!` }),
      () => bot.patchPost({ id: ok.id, message: `${max}!` }),
    ]) {
      const err = await call().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ClientError)
      expect(err).toMatchObject({ status_code: 400, server_error_id: "model.post.is_valid.msg.app_error" })
    }
    const theirs = fm.postAs(alice.id, { channel_id: town.id, message: "mine" })
    await expect(bot.patchPost({ id: theirs.id, message: "hijack" })).rejects.toMatchObject({ status_code: 403 })
    await expect(bot.patchPost({ id: "nonexistentpostid000000000", message: "x" })).rejects.toMatchObject({
      status_code: 404,
      server_error_id: "app.post.get.app_error",
    })

    await fm.close()
    fm = await startFakeMattermost({ postEditTimeLimitSeconds: 0 })
    const chan = fm.addChannel({ name: "limits", type: "O", members: [fm.bot.id] })
    const limited = client(fm.bot.token)
    const old = await limited.createPost({ channel_id: chan.id, message: "old" })
    // A time rule, not an event: let the wall clock pass the post's create_at.
    await new Promise((r) => setTimeout(r, Math.max(0, old.create_at - Date.now()) + 2))
    await expect(limited.patchPost({ id: old.id, message: "new" })).rejects.toMatchObject({
      status_code: 400,
      server_error_id: "api.post.update_post.permissions_time_limit.app_error",
    })
  })

  it("reactions, typing and ephemerals", async () => {
    const bot = client(fm.bot.token)
    const post = fm.postAs(alice.id, { channel_id: town.id, message: "deploy?" })
    await bot.addReaction(fm.bot.id, post.id, "eyes")
    fm.reactAs(alice.id, post.id, "thumbsup")
    expect((await bot.getReactionsForPost(post.id)).map((r) => r.emoji_name)).toEqual(["eyes", "thumbsup"])
    await bot.removeReaction(fm.bot.id, post.id, "eyes")
    expect(fm.reactions(post.id).map((r) => [r.user_id, r.emoji_name])).toEqual([[alice.id, "thumbsup"]])
    await expect(bot.addReaction(alice.id, post.id, "x")).rejects.toMatchObject({ status_code: 403 })

    await raw(bot).doFetchWithResponse(`${bot.getUserRoute("me")}/typing`, {
      method: "post",
      body: JSON.stringify({ channel_id: town.id, parent_id: post.id }),
    })
    expect(fm.typingEvents()).toMatchObject([{ userId: fm.bot.id, channelId: town.id, parentId: post.id, via: "rest" }])

    await bot.createPostEphemeral(alice.id, { channel_id: town.id, message: "only you can see this" })
    expect(fm.ephemerals(alice.id).map((p) => [p.user_id, p.message])).toEqual([[fm.bot.id, "only you can see this"]])
    expect(fm.posts({ channelId: town.id }).map((p) => p.message)).toEqual(["deploy?"])
  })

  it("files: the bot uploads and attaches; it downloads what a user attached", async () => {
    const bot = client(fm.bot.token)
    const form = new FormData()
    form.append("channel_id", town.id)
    form.append("files", new Blob(["hello file"], { type: "text/plain" }), "notes.txt")
    const up = await bot.uploadFile(form)
    expect(up.file_infos[0]).toMatchObject({ name: "notes.txt", size: 10, mime_type: "text/plain", extension: "txt" })
    const post = await bot.createPost({ channel_id: town.id, message: "see file", file_ids: [up.file_infos[0]!.id] })
    expect((await bot.getFileInfosForPost(post.id)).map((f) => f.name)).toEqual(["notes.txt"])
    expect(fm.post(post.id)?.metadata.files?.[0]?.name).toBe("notes.txt")

    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255])
    const info = fm.uploadAs(alice.id, town.id, { name: "shot.png", mime: "image/png", data: png })
    const human = fm.postAs(alice.id, { channel_id: town.id, message: "look", file_ids: [info.id] })
    const [att] = await bot.getFileInfosForPost(human.id)
    const res = await fetch(bot.getFileUrl(att!.id, 0), { headers: { Authorization: `BEARER ${fm.bot.token}` } })
    expect(res.headers.get("content-type")).toBe("image/png")
    expect(Buffer.from(await res.arrayBuffer())).toEqual(png)
    const viaInfo = await fetch(`${bot.getFileUrl(att!.id, 0)}/info`, { headers: { Authorization: `Bearer ${fm.bot.token}` } })
    expect(await viaInfo.json()).toMatchObject({ id: info.id, post_id: human.id, mime_type: "image/png" })
  })
})

describe("WebSocketClient", () => {
  for (const impl of ["global WebSocket", "ws via newWebSocketFn"] as const) {
    it(`connects and receives posted / post_edited / reaction_added in seq order (${impl})`, async () => {
      const sock = new BotSocket(fm.bot.token, impl === "global WebSocket" ? {} : { newWebSocketFn: wsWebSocketFn() })
      const hello = await sock.event("hello")
      expect(hello).toMatchObject({ seq: 0, broadcast: { user_id: fm.bot.id } })
      await fm.waitForConnection({ userId: fm.bot.id })

      const secret = fm.addChannel({ teamId, name: "secret", type: "P", members: [alice.id] })
      fm.postAs(alice.id, { channel_id: secret.id, message: "bot cannot see this" })
      const human = fm.postAs(alice.id, { channel_id: town.id, message: "hey @switchboard, deploy" })
      const posted = await sock.event("posted")
      expect(posted.data).toMatchObject({
        channel_type: "O",
        channel_name: "town-square",
        channel_display_name: "Town Square",
        sender_name: "@alice",
        team_id: teamId,
        set_online: true,
        mentions: JSON.stringify([fm.bot.id]),
      })
      expect(postIn(posted.data as Json)).toMatchObject({ id: human.id, message: "hey @switchboard, deploy" })

      const bot = client(fm.bot.token)
      const mine = await bot.createPost({ channel_id: town.id, message: "on it", root_id: human.id })
      await bot.patchPost({ id: mine.id, message: "on it: done" })
      fm.reactAs(alice.id, mine.id, "tada")
      const reaction = await sock.event("reaction_added")
      expect(JSON.parse((reaction.data as Json).reaction as string)).toMatchObject({ user_id: alice.id, post_id: mine.id, emoji_name: "tada" })
      const edited = sock.events.find((e) => e.event === "post_edited")!
      expect(postIn(edited.data as Json).message).toBe("on it: done")
      expect(sock.events.map((e) => [e.event, e.seq])).toEqual([
        ["hello", 0],
        ["posted", 1],
        ["posted", 2],
        ["post_edited", 3],
        ["reaction_added", 4],
      ])
      expect("mentions" in (sock.events[2]!.data as Json)).toBe(false)
    })
  }

  it("reconnects after dropped sockets and fires the reconnect and missed-message listeners", async () => {
    const sock = new BotSocket(fm.bot.token)
    await sock.event("hello")
    const firstId = (sock.events[0]!.data as Json).connection_id
    fm.dropSockets()
    expect(fm.connections()).toBe(0)
    await sock.until(() => sock.count.missed === 1 && sock.count.reconnects === 1, "reconnect + missed")
    await fm.waitForConnection()
    const hellos = sock.events.filter((e) => e.event === "hello")
    expect(hellos.map((h) => h.seq)).toEqual([0, 0])
    expect((hellos[1]!.data as Json).connection_id).not.toBe(firstId)
    fm.postAs(alice.id, { channel_id: town.id, message: "after reconnect" })
    const posted = await sock.event("posted")
    expect(posted.seq).toBe(1)
    expect(fm.stats().wsConnectionsTotal).toBe(2)
  })

  it("with sockets refused, posts are missed over WS but getPostsSince returns them", async () => {
    const sock = new BotSocket(fm.bot.token)
    await sock.event("hello")
    const bot = client(fm.bot.token)
    const before = await bot.createPost({ channel_id: town.id, message: "before" })
    await sock.event("posted")

    fm.setSocketsRefused(true)
    fm.dropSockets()
    // Close 1 is the drop, close 2 a reconnect the fake refused; the client's retry timer decides
    // when that happens, so wait for the close itself, however late a busy machine runs it.
    await sock.until(() => sock.count.closes >= 2, "a refused reconnect attempt")
    const missed = fm.postAs(alice.id, { channel_id: town.id, message: "while you were away" })
    expect(fm.connections()).toBe(0)
    expect(sock.count.missed).toBe(0)

    fm.setSocketsRefused(false)
    // The next attempt gets a hello with a new connection id: the missed-message listener fires.
    // Wait for it to have fired at all, then say how often (a count that overshot would
    // otherwise look like a hang).
    await sock.until(() => sock.count.missed > 0, "missed-message listener")
    await fm.waitForConnection()
    expect(sock.count.missed).toBe(1)
    expect(sock.events.some((e) => e.event === "posted" && postIn(e.data as Json).id === missed.id)).toBe(false)
    const since = await bot.getPostsSince(town.id, before.create_at)
    expect(since.order).toEqual([missed.id])
    expect(since.posts[missed.id]?.message).toBe("while you were away")
  })

  it("speaks the raw protocol: challenge, hello, pong, unknown actions, bad tokens", async () => {
    const { WebSocket: Ws } = await import("ws")
    const open = (token: string) => {
      const ws = new Ws(`${fm.url.replace("http", "ws")}/api/v4/websocket?connection_id=&sequence_number=0`)
      const frames: Json[] = []
      const waiters = new Set<() => void>()
      ws.on("message", (d) => (frames.push(JSON.parse(d.toString()) as Json), waiters.forEach((w) => w())))
      ws.on("open", () => ws.send(JSON.stringify({ action: "authentication_challenge", seq: 1, data: { token } })))
      const until = (n: number) =>
        new Promise<Json[]>((resolve) => {
          const check = () => frames.length >= n && (waiters.delete(check), resolve(frames))
          waiters.add(check)
          check()
        })
      return { ws, until }
    }
    const good = open(alice.token)
    await good.until(2)
    good.ws.send(JSON.stringify({ action: "ping", seq: 2 }))
    good.ws.send(JSON.stringify({ action: "get_statuses", seq: 3 }))
    const [ok, hello, pong, other] = await good.until(4)
    expect(ok).toEqual({ status: "OK", seq_reply: 1 })
    expect(hello).toMatchObject({
      event: "hello",
      seq: 0,
      data: { server_version: expect.any(String), connection_id: expect.any(String), server_hostname: "" },
      broadcast: { user_id: alice.id },
    })
    expect(pong).toMatchObject({ status: "OK", seq_reply: 2, data: { text: "pong", node_id: "", server_time: expect.any(Number) } })
    expect(other).toEqual({ status: "OK", seq_reply: 3 })
    good.ws.close()

    const bad = open("not-a-token")
    const code = await new Promise<number>((r) => bad.ws.on("close", (c) => r(c)))
    expect(code).toBe(1008)
    expect(fm.connections()).toBe(0)
  })

  it("DM posts reach both sides with the DM's display name and the recipient as mention", async () => {
    const sock = new BotSocket(fm.bot.token)
    await sock.event("hello")
    const dm = fm.directChannel(alice.id, fm.bot.id)
    fm.postAs(alice.id, { channel_id: dm.id, message: "psst" })
    const posted = await sock.event("posted")
    expect(posted.data).toMatchObject({
      channel_type: "D",
      channel_name: dm.name,
      channel_display_name: "@alice",
      team_id: "",
      mentions: JSON.stringify([fm.bot.id]),
    })
  })

  it("works on a Node 20-like runtime: no WebSocket, no CloseEvent until ensureWebSocketGlobals", async () => {
    const g = globalThis as { WebSocket?: unknown; CloseEvent?: unknown }
    const saved = { WebSocket: g.WebSocket, CloseEvent: g.CloseEvent }
    delete g.WebSocket
    delete g.CloseEvent
    try {
      const { WebSocket: Ws } = await import("ws")
      const sock = new BotSocket(fm.bot.token)
      expect(g.WebSocket).toBe(Ws)
      expect(g.CloseEvent).toBe(CloseEventPolyfill)
      await sock.event("hello")
      fm.postAs(alice.id, { channel_id: town.id, message: "from node 20" })
      expect(postIn((await sock.event("posted")).data as Json).message).toBe("from node 20")
      fm.dropSockets()
      await sock.until(() => sock.count.missed === 1, "missed-message listener")
      await fm.waitForConnection()
      sock.close()
      await fm.waitFor((f) => f.connections() === 0)
    } finally {
      Object.assign(g, saved)
    }
  })

  it("user_typing over the socket is recorded and reaches the other members", async () => {
    const sock = new BotSocket(fm.bot.token)
    const aliceSock = new BotSocket(alice.token)
    await sock.event("hello")
    await aliceSock.event("hello")
    const reply = await new Promise<unknown>((r) => sock.ws.userTyping(town.id, "", () => r("ok")))
    expect(reply).toBe("ok")
    const typing = await aliceSock.event("typing")
    expect(typing.data).toEqual({ parent_id: "", user_id: fm.bot.id })
    expect(fm.typingEvents()).toMatchObject([{ userId: fm.bot.id, via: "websocket" }])
    expect(sock.events.some((e) => e.event === "typing")).toBe(false)
  })
})

describe("interactive buttons", () => {
  const approvalPost = (url: string) => ({
    channel_id: town.id,
    message: "Run `rm -rf build`?",
    props: {
      attachments: [
        {
          text: "Permission needed",
          actions: [
            { id: "approve", type: "button", name: "Approve", style: "success", integration: { url, context: { req: "r1", sig: "s3cret" } } },
            { id: "deny", type: "button", name: "Deny", style: "danger", integration: { url, context: { req: "r1", sig: "s3cret", deny: true } } },
          ],
        },
      ],
    },
  })

  it("a click POSTs to the integration, applies update and ephemeral_text; integrations stay hidden", async () => {
    const hook = await integrationServer((body) => {
      const ctx = body.context as Json
      if (ctx.deny) return { json: { update: { props: { attachments: [{ text: "Denied" }] } } } }
      return { json: { update: { message: "Approved by @alice", props: { attachments: [{ text: "Approved" }] } }, ephemeral_text: "You approved <https://x.test|r1>" } }
    })
    const sock = new BotSocket(fm.bot.token)
    await sock.event("hello")
    const bot = client(fm.bot.token)
    const created = await bot.createPost(approvalPost(hook.url))
    const visible = [
      JSON.stringify(created),
      JSON.stringify(await bot.getPost(created.id)),
      JSON.stringify(await bot.getPostThread(created.id)),
      ((await sock.event("posted")).data as Json).post as string,
      JSON.stringify(fm.post(created.id)),
    ]
    for (const v of visible) {
      expect(v).toContain('"approve"')
      expect(v).not.toContain("integration")
      expect(v).not.toContain("s3cret")
      expect(v).not.toContain(hook.url)
    }
    expect(fm.callbackUrlOf(created.id, "approve")).toBe(hook.url)
    expect(fm.contextOf(created.id, "approve")).toEqual({ req: "r1", sig: "s3cret" })

    const result = await client(alice.token).doPostAction(created.id, "approve")
    expect(result).toMatchObject({ status: "OK", trigger_id: expect.any(String) })
    expect(hook.calls[0]).toEqual({
      user_id: alice.id,
      user_name: "alice",
      channel_id: town.id,
      channel_name: "town-square",
      team_id: teamId,
      team_domain: "core",
      post_id: created.id,
      trigger_id: result.trigger_id,
      type: "button",
      data_source: "",
      context: { req: "r1", sig: "s3cret" },
    })
    expect(fm.post(created.id)).toMatchObject({ message: "Approved by @alice", props: { attachments: [{ text: "Approved" }] } })
    expect(fm.ephemerals(alice.id).map((p) => [p.message, p.root_id])).toEqual([["You approved [r1](https://x.test)", created.id]])
    const edited = await sock.event("post_edited")
    expect(postIn(edited.data as Json).message).toBe("Approved by @alice")

    // Trap #27: an update without `message` blanks the post (props replaced as sent).
    const second = await bot.createPost(approvalPost(hook.url))
    await fm.click(second.id, "deny", alice.id)
    expect(fm.post(second.id)).toMatchObject({ message: "", props: { attachments: [{ text: "Denied" }] } })
    expect(fm.stats().clicks).toBe(2)
  })

  it("a select sends the choice in context.selected_option, like the server", async () => {
    const hook = await integrationServer(() => ({ json: {} }))
    const post = fm.postAs(alice.id, {
      channel_id: town.id,
      message: "pick",
      props: { attachments: [{ actions: [{ id: "mode", type: "select", name: "Mode", options: [{ text: "Fast", value: "fast" }], integration: { url: hook.url, context: { k: 1 } } }] }] },
    })
    await fm.click(post.id, "mode", alice.id, "fast")
    expect(hook.calls[0]).toMatchObject({ type: "select", context: { k: 1, selected_option: "fast" } })
    expect(fm.post(post.id)?.message).toBe("pick")
  })

  it("failing integrations, unknown or non-alphanumeric action ids", async () => {
    const hook = await integrationServer(() => ({ status: 500, json: { error: "boom" } }))
    const bot = client(fm.bot.token)
    const post = await bot.createPost(approvalPost(hook.url))
    const err = await client(alice.token).doPostAction(post.id, "approve").catch((e: unknown) => e)
    expect(err).toMatchObject({ status_code: 400, server_error_id: "api.post.do_action.action_integration.app_error" })
    expect(fm.post(post.id)?.message).toBe("Run `rm -rf build`?")

    const dead = await bot.createPost(approvalPost("http://127.0.0.1:9/unreachable"))
    await expect(fm.click(dead.id, "approve", alice.id)).rejects.toMatchObject({
      status: 400,
      id: "api.post.do_action.action_integration.app_error",
    })
    await expect(fm.click(post.id, "nosuch", alice.id)).rejects.toMatchObject({ status: 404, id: "api.post.do_action.action_id.app_error" })
    await expect(client(alice.token).doPostAction(post.id, "approve-once")).rejects.toMatchObject({
      status_code: 404,
      server_error_id: "api.context.404.app_error",
    })
    expect(fm.clicks().map((c) => c.ok)).toEqual([false, false])
  })
})

describe("rate limiting and injected faults", () => {
  it("429 is text/plain and invisible to ClientError; doFetchWithResponse exposes status and headers", async () => {
    const bot = client(fm.bot.token)
    const post = await bot.createPost({ channel_id: town.id, message: "v1" })
    fm.setRateLimit({ perSec: 1, maxBurst: 2 })
    const first = await raw(bot).doFetchWithResponse(bot.getUserRoute("me"), { method: "get" })
    expect(first.headers.get("X-Ratelimit-Limit")).toBe("3")
    expect(first.headers.get("X-Ratelimit-Remaining")).toBe("2")
    await bot.getMe()
    await bot.getMe()
    const hidden = await bot.getMe().catch((e: unknown) => e)
    expect(hidden).toBeInstanceOf(ClientError)
    expect(hidden).toMatchObject({ message: "", status_code: undefined, server_error_id: undefined })

    const { response, headers, data } = await raw(bot).doFetchWithResponse(`${bot.getPostRoute(post.id)}/patch`, {
      method: "put",
      body: JSON.stringify({ message: "v2" }),
      ignoreStatus: true,
    })
    expect(response.status).toBe(429)
    expect(headers.get("Content-Type")).toMatch(/^text\/plain/)
    expect(data).toBe("limit exceeded\n")
    expect(headers.get("Retry-After")).toBe("1")
    expect(headers.get("X-Ratelimit-Remaining")).toBe("0")
    expect(fm.post(post.id)?.message).toBe("v1")
    expect(fm.stats().rateLimited).toBe(2)

    fm.setRateLimit(false)
    fm.forceRateLimit(1, { retryAfterSec: 3 })
    expect((await bot.getMe()).id).toBe(fm.bot.id)
    const forced = await raw(bot).doFetchWithResponse(`${bot.getPostRoute(post.id)}/patch`, {
      method: "put",
      body: JSON.stringify({ message: "v2" }),
      ignoreStatus: true,
    })
    expect([forced.response.status, forced.headers.get("Retry-After")]).toEqual([429, "3"])
    expect((await bot.patchPost({ id: post.id, message: "v2" })).message).toBe("v2")
    expect(fm.stats()).toMatchObject({ rateLimited: 3, edits: 1 })
  })

  it("failNext returns JSON errors for matching routes only", async () => {
    const bot = client(fm.bot.token)
    const root = await bot.createPost({ channel_id: town.id, message: "root" })
    fm.failNext(2, 503, /^POST \/api\/v4\/posts$/)
    await expect(bot.getMe()).resolves.toBeTruthy()
    for (let i = 0; i < 2; i++) {
      await expect(bot.createPost({ channel_id: town.id, message: "r", root_id: root.id })).rejects.toMatchObject({
        status_code: 503,
        server_error_id: "fake.injected_fault.app_error",
      })
    }
    await bot.createPost({ channel_id: town.id, message: "r", root_id: root.id })
    expect(fm.thread(root.id)).toHaveLength(2)
    expect(fm.stats().injectedFaults).toBe(2)
    expect(fm.requests().filter((r) => r.status === 503).map((r) => r.path)).toEqual(["/api/v4/posts", "/api/v4/posts"])
  })
})

describe("harness helpers", () => {
  it("waitFor resolves on a state change and times out with context", async () => {
    const seen = fm.waitFor((f) => f.posts({ channelId: town.id }).find((p) => p.message === "ping"))
    fm.postAs(alice.id, { channel_id: town.id, message: "ping" })
    expect((await seen).user_id).toBe(alice.id)
    await expect(fm.waitFor(() => false, { timeoutMs: 20, what: "nothing" })).rejects.toThrow(/timed out after 20 ms \(nothing\)/)
  })

  it("ensureWebSocketGlobals fills only what is missing, idempotently", () => {
    const bare: { WebSocket?: unknown; CloseEvent?: unknown } = {}
    expect(ensureWebSocketGlobals(bare)).toEqual({ webSocket: true, closeEvent: true })
    expect(ensureWebSocketGlobals(bare)).toEqual({ webSocket: false, closeEvent: false })
    const Ctor = bare.CloseEvent as typeof CloseEventPolyfill
    const ev = new Ctor("close", { code: 4001, wasClean: false })
    expect(ev).toBeInstanceOf(Event)
    expect([ev.type, ev.code, ev.reason, ev.wasClean]).toEqual(["close", 4001, "", false])
    const half: { WebSocket?: unknown; CloseEvent?: unknown } = { WebSocket: class {} }
    expect(ensureWebSocketGlobals(half)).toEqual({ webSocket: false, closeEvent: true })
  })
})
