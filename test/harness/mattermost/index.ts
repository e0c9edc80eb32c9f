// Entry point: `startFakeMattermost(options)` listens on 127.0.0.1 (port 0) and returns the
// test-facing API: act as humans (post, upload, react, click), read what people would see
// (posts, threads, reactions, ephemerals, typing), inspect traffic (requests, stats), await state
// with `waitFor`, and steer faults, the rate limiter and sockets.
import type { AddressInfo } from "node:net"
import { doPostAction, integrationOf, type ClickResult } from "./actions.ts"
import { uploadFile, type Upload } from "./files.ts"
import { clientPost, createPost, mentionsOf, threadOf, type NewPost } from "./posts.ts"
import { DEFAULT_RATE_LIMIT, Faults, RateLimiter, type RateLimitOptions, type RouteMatch } from "./rate-limit.ts"
import { addReaction, reactionsFor, removeReaction } from "./reactions.ts"
import { createFakeServer, type RequestRecord } from "./server.ts"
import { FakeState, type ClickRecord, type TypingEvent } from "./state.ts"
import type { Channel, ChannelType, FileInfo, Json, Post, PostView, Reaction, Team } from "./types.ts"
import { WebSocketHub } from "./websocket.ts"

export type { ClickResult, NewPost, RateLimitOptions, RequestRecord, RouteMatch, TypingEvent, Upload }
export type { Channel, ClickRecord, FileInfo, Json, Post, PostView, Reaction, Team }
export { MmError } from "./types.ts"

export interface FakeMattermostOptions {
  /** Off by default, like the real server; `true` = 10/s with a burst of 100, keyed by token. */
  rateLimit?: boolean | Partial<RateLimitOptions>
  /** `ServiceSettings.PostEditTimeLimit`; unset = unlimited. */
  postEditTimeLimitSeconds?: number
  /** Runes; default 16383 (`MaxPostSize` in the client config). */
  maxPostSize?: number
  /** Username of the pre-created bot; default "switchboard". */
  botUsername?: string
  /** How long a click waits for the integration URL; default 30 000 ms like the server. */
  actionTimeoutMs?: number
}

export interface UserHandle {
  id: string
  username: string
  token: string
}

export interface Stats {
  requests: number
  byStatus: Record<string, number>
  /** 429 answers (real limiter and forced), to report them. */
  rateLimited: number
  injectedFaults: number
  /** Successful `PUT /posts/{id}` and `PUT /posts/{id}/patch`. */
  edits: number
  posts: number
  reactions: number
  clicks: number
  ephemerals: number
  typing: number
  wsConnectionsTotal: number
  wsOpen: number
}

export interface FakeMattermost {
  /** Server root, without /api/v4 (what `Client4.setUrl` wants). */
  readonly url: string
  readonly bot: UserHandle
  addUser(input: { username: string; isBot?: boolean; roles?: string; firstName?: string; lastName?: string }): UserHandle
  addTeam(input: { name: string; displayName?: string; members?: string[] }): Team
  addChannel(input: { teamId?: string; name: string; displayName?: string; type?: ChannelType; members: string[] }): Channel
  directChannel(userA: string, userB: string): Channel
  addChannelMember(channelId: string, userId: string): void

  /** A human posts: validated and broadcast (`posted`, with mentions) exactly like REST. */
  postAs(userId: string, post: NewPost): PostView
  /**
   * An incoming webhook posts: the post runs under the webhook owner's account and carries
   * `from_webhook` (and the display name the webhook chose), as the real server does.
   */
  postAsWebhook(ownerId: string, post: NewPost & { username?: string }): PostView
  uploadAs(userId: string, channelId: string, file: Upload): FileInfo
  reactAs(userId: string, postId: string, emoji: string): Reaction
  unreactAs(userId: string, postId: string, emoji: string): void
  /** A human clicks a button; rejects with MmError like the REST call would. */
  click(postId: string, actionId: string, userId: string, selectedOption?: string): Promise<ClickResult>
  callbackUrlOf(postId: string, actionId: string): string
  contextOf(postId: string, actionId: string): Json | undefined

  post(id: string): PostView | undefined
  /** In creation order, deleted ones included (`deleted: true`). `rootId` = that thread, root included. */
  posts(filter?: { channelId?: string; rootId?: string }): PostView[]
  /** Root then replies in creation order. */
  thread(rootId: string): PostView[]
  reactions(postId: string): Reaction[]
  /** Who the post's current text would ping, by the server's mention rules (`@channel`/`@all` = every member). */
  mentionsOf(postId: string): string[]
  ephemerals(userId: string): Post[]
  typingEvents(): TypingEvent[]
  clicks(): ClickRecord[]
  requests(): RequestRecord[]
  stats(): Stats

  /** Resolves with the predicate's first truthy value, re-checked on every state change (default timeout 30 s: real OpenCode under load). */
  waitFor<T>(predicate: (fm: FakeMattermost) => T | undefined | null | false, opts?: { timeoutMs?: number; what?: string }): Promise<T>
  setRateLimit(setting: boolean | Partial<RateLimitOptions>): void
  /** The next `count` matching requests fail with `status` (429 = the limiter's text/plain answer). */
  failNext(count: number, status?: number, route?: RouteMatch): void
  /** The next `count` matching write calls get a 429. */
  forceRateLimit(count: number, opts?: { route?: RouteMatch; retryAfterSec?: number }): void

  dropSockets(): void
  setSocketsRefused(refused: boolean): void
  connections(userId?: string): number
  /** Resolves once an authenticated socket (of `userId`, if given) has received `hello`. */
  waitForConnection(opts?: { userId?: string; timeoutMs?: number }): Promise<void>
  close(): Promise<void>
}

const view = (state: FakeState, p: Post): PostView => ({ ...clientPost(state, p), deleted: p.delete_at !== 0 })

export async function startFakeMattermost(options: FakeMattermostOptions = {}): Promise<FakeMattermost> {
  const state = new FakeState({
    maxPostSize: options.maxPostSize ?? 16383,
    postEditTimeLimitSeconds: options.postEditTimeLimitSeconds,
  })
  const hub = new WebSocketHub(state)
  const limiter = new RateLimiter()
  if (options.rateLimit) limiter.configure(options.rateLimit)
  const faults = new Faults()
  const log: RequestRecord[] = []
  const actionTimeoutMs = options.actionTimeoutMs ?? 30_000
  const server = createFakeServer({ state, hub, limiter, faults, log, actionTimeoutMs })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.siteUrl = url

  const handle = (u: { id: string; token: string; user: { username: string } }): UserHandle => ({
    id: u.id,
    username: u.user.username,
    token: u.token,
  })
  const bot = handle(state.addUser({ username: options.botUsername ?? "switchboard", isBot: true }))

  const fm: FakeMattermost = {
    url,
    bot,
    addUser: (input) => handle(state.addUser(input)),
    addTeam: (input) => structuredClone(state.addTeam(input)),
    addChannel: (input) => structuredClone(state.addChannel(input)),
    directChannel: (a, b) => structuredClone(state.directChannel(a, b)),
    addChannelMember: (channelId, userId) => state.addChannelMember(channelId, userId),

    postAs: (userId, post) => view(state, createPost(state, userId, post)),
    postAsWebhook: (ownerId, { username, ...post }) =>
      view(state, createPost(state, ownerId, { ...post, props: { ...post.props, from_webhook: "true", ...(username ? { override_username: username } : {}) } })),
    uploadAs: (userId, channelId, file) => structuredClone(uploadFile(state, userId, channelId, file)),
    reactAs: (userId, postId, emoji) => structuredClone(addReaction(state, userId, userId, postId, emoji)),
    unreactAs: (userId, postId, emoji) => removeReaction(state, userId, userId, postId, emoji),
    click: (postId, actionId, userId, selected = "") => doPostAction(state, userId, postId, actionId, selected, actionTimeoutMs),
    callbackUrlOf: (postId, actionId) => integrationOf(state, postId, actionId).url ?? "",
    contextOf: (postId, actionId) => structuredClone(integrationOf(state, postId, actionId).context),

    post: (id) => {
      const p = state.posts.get(id)
      return p && view(state, p)
    },
    posts: (filter = {}) =>
      [...state.posts.values()]
        .filter((p) => !filter.channelId || p.channel_id === filter.channelId)
        .filter((p) => !filter.rootId || p.id === filter.rootId || p.root_id === filter.rootId)
        .map((p) => view(state, p)),
    thread: (rootId) => threadOf(state, rootId).map((p) => view(state, p)),
    reactions: (postId) => reactionsFor(state, postId),
    mentionsOf: (postId) => {
      const p = state.posts.get(postId)
      return p ? mentionsOf(state, state.requireChannel(p.channel_id), p) : []
    },
    ephemerals: (userId) => state.ephemerals.filter((e) => e.userId === userId).map((e) => clientPost(state, e.post)),
    typingEvents: () => structuredClone(state.typing),
    clicks: () => structuredClone(state.clicks),
    requests: () => structuredClone(log),
    stats: () => {
      const byStatus: Record<string, number> = {}
      for (const r of log) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1
      const isEdit = (r: RequestRecord) => r.method === "PUT" && /^\/api\/v4\/posts\/[^/]+(\/patch)?$/.test(r.path)
      return {
        requests: log.length,
        byStatus,
        rateLimited: byStatus[429] ?? 0,
        injectedFaults: log.filter((r) => r.intercepted === "fault").length,
        edits: log.filter((r) => isEdit(r) && r.status === 200).length,
        posts: state.posts.size,
        reactions: [...state.reactions.values()].reduce((n, l) => n + l.length, 0),
        clicks: state.clicks.length,
        ephemerals: state.ephemerals.length,
        typing: state.typing.length,
        wsConnectionsTotal: hub.totalConnections,
        wsOpen: hub.count(),
      }
    },

    waitFor: (predicate, opts = {}) =>
      new Promise((resolve, reject) => {
        const timeoutMs = opts.timeoutMs ?? 30_000
        let off = () => {}
        const finish = (fn: () => void) => {
          off()
          clearTimeout(timer)
          fn()
        }
        const check = () => {
          try {
            const value = predicate(fm)
            if (value) finish(() => resolve(value))
          } catch (err) {
            finish(() => reject(err))
          }
        }
        const timer = setTimeout(() => {
          const recent = [...state.posts.values()].slice(-5).map((p) => `${p.user_id.slice(0, 6)}: ${p.message.slice(0, 60)}`)
          const what = opts.what ? ` (${opts.what})` : ""
          finish(() => reject(new Error(`fake-mattermost waitFor timed out after ${timeoutMs} ms${what}; last posts: ${JSON.stringify(recent)}`)))
        }, timeoutMs)
        off = state.onChange(check)
        check()
      }),
    setRateLimit: (setting) => limiter.configure(setting),
    failNext: (count, status = 500, route) => faults.failNext(count, status, route),
    forceRateLimit: (count, opts = {}) => faults.forceRateLimit(count, { match: opts.route, retryAfterSec: opts.retryAfterSec }),

    dropSockets: () => hub.dropAll(),
    setSocketsRefused: (refused) => {
      hub.refused = refused
    },
    connections: (userId) => hub.count(userId),
    waitForConnection: async (opts = {}) => {
      await fm.waitFor(() => hub.count(opts.userId) > 0, { timeoutMs: opts.timeoutMs, what: "a WebSocket connection" })
    },
    close: async () => {
      faults.clear()
      await hub.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return fm
}

export { DEFAULT_RATE_LIMIT }
