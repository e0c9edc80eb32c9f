// Entry point: `startFakeSlack(options)` listens on 127.0.0.1 (port 0) and returns the
// test-facing API: act as people (post, edit, react, upload, click, select, slash commands),
// read what people see (messages, threads, ephemerals, statuses, responses), inspect traffic
// (requests, envelopes, stats), await state with `waitFor`, and steer sockets, rate limits,
// faults and workspace settings. Point Bolt at `url` (see ./bolt.ts); facts in ./README.md.
import type { AddressInfo } from "node:net"
import { fileObject, humanUpload } from "./files.ts"
import { richTextBlock } from "./events.ts"
import { Interactions, type InteractionResult } from "./interactions.ts"
import { LIMITS, RATE_LIMITS } from "./limits.ts"
import { createMessage, deleteMessage, updateMessage, viewOf, type MessageView, type ReactionView } from "./messages.ts"
import { addReaction, removeReaction } from "./reactions.ts"
import { Faults, RateLimiter, type RateTable } from "./rate-limit.ts"
import { createFakeServer, type RequestRecord } from "./server.ts"
import { SocketHub, type AttemptRecord, type DisconnectReason, type EnvelopeRecord, type EnvelopeType } from "./socket.ts"
import { FakeState, type BotIdentity, type Team, type UserGroup } from "./state.ts"
import { expireStream } from "./streams.ts"
import { newClientMsgId, type ChannelType, type Ephemeral, type Json, type ResponseRecord, type StatusRecord } from "./types.ts"
import { buildStats, statusViews, waitForState, type Stats, type StatusView } from "./views.ts"

export type { AttemptRecord, BotIdentity, ChannelType, DisconnectReason, EnvelopeRecord, EnvelopeType, Ephemeral, InteractionResult, Json, MessageView }
export type { RateTable, ReactionView, RequestRecord, ResponseRecord, Stats, StatusRecord, StatusView, Team, UserGroup }
export { LIMITS, RATE_LIMITS }
export { STREAMING_DISABLED_ERROR } from "./streams.ts"

/** Every scope the fake knows; the default grant. Leave one out to test a missing scope. */
export const DEFAULT_SCOPES = [
  "app_mentions:read", "assistant:write", "channels:history", "channels:read", "chat:write", "commands",
  "files:read", "files:write", "groups:history", "groups:read", "im:history", "im:read", "im:write",
  "mpim:history", "mpim:read", "reactions:read", "reactions:write", "usergroups:read", "users:read",
] as const

export interface FakeSlackOptions {
  teamName?: string
  /** The bot user's name; default "switchboard". */
  botName?: string
  /** Granted bot scopes (auth.test's x-oauth-scopes); default DEFAULT_SCOPES. */
  scopes?: readonly string[]
  /** Whether the workspace/app has Slack's AI streaming (chat.*Stream, setStatus); default true. */
  streaming?: boolean
  /** Rate limits on (default), off, or with some rules overridden. */
  rateLimits?: boolean | Partial<RateTable>
  /** Multiplies every rate window (e.g. 0.1: a minute becomes 6 s); default 1 (Slack's windows). */
  rateLimitScale?: number
  /** Socket Mode ack deadline; default 3000 ms like Slack. */
  ackTimeoutMs?: number
  /** Redeliveries of an unacknowledged envelope; default 3. */
  maxRedeliveries?: number
  /** Which envelope types are redelivered when unacknowledged; default all. */
  redeliver?: Partial<Record<EnvelopeType, boolean>>
  /** Messages older than this cannot be edited (edit_window_closed); default unlimited. */
  editWindowSeconds?: number
}

export type UserRef = string | { id: string }
export type ChannelRef = string | { id: string }

export interface UserHandle {
  id: string
  name: string
  realName: string
}

export interface FileView {
  id: string
  name: string
  title: string
  mimetype: string
  size: number
  user: string
  /** Upload finished (files.completeUploadExternal, or a person's upload). */
  complete: boolean
  /** Channels it was shared in. */
  channels: string[]
}

export interface NewPost {
  channel: ChannelRef
  text: string
  threadTs?: string
  /** Uploads from `uploadFile` by the same person; the message becomes a `file_share`. */
  files?: { id: string }[]
  replyBroadcast?: boolean
}

export interface SelectTarget {
  channel: ChannelRef
  ts: string
  actionId: string
  /** The chosen option's value (static_select). */
  value?: string
  /** The chosen options' values (multi_static_select). */
  values?: string[]
}

export interface ChannelHandle {
  id: string
  name: string
  type: ChannelType
}

export interface FakeSlack {
  /** What `slackApiUrl` wants: `http://127.0.0.1:PORT/api/`. */
  readonly url: string
  /** `http://127.0.0.1:PORT`, the host of file URLs and response_urls. */
  readonly baseUrl: string
  readonly team: Team
  readonly bot: BotIdentity

  addUser(input: { name: string; realName?: string; isAdmin?: boolean; isBot?: boolean }): UserHandle
  addUserGroup(input: { handle: string; name?: string; members: UserRef[] }): UserGroup
  /** The bot is a member unless `bot: false` (then Slack answers not_in_channel and sends no events); for the bot's DMs use `dm()`. */
  addChannel(input: { name: string; type?: ChannelType; members: UserRef[]; bot?: boolean }): ChannelHandle
  /** The bot's DM with a person (created on first use). */
  dm(user: UserRef): ChannelHandle

  /** A person posts (top level, or in `threadTs`); the events Slack would send go out. */
  postAs(user: UserRef, post: NewPost): MessageView
  editAs(user: UserRef, edit: { channel: ChannelRef; ts: string; text: string }): MessageView
  deleteAs(user: UserRef, target: { channel: ChannelRef; ts: string }): void
  reactAs(user: UserRef, target: { channel: ChannelRef; ts: string; name: string }): void
  unreactAs(user: UserRef, target: { channel: ChannelRef; ts: string; name: string }): void
  /** A person's upload, to attach with `postAs({files})`; returns Slack's file object. */
  uploadFile(user: UserRef, file: { name: string; mime?: string; data: Buffer | string }): Json & { id: string }
  /** Clicks a button in the message's current blocks; resolves once acknowledged or given up on. Throws if there is no such button. */
  click(user: UserRef, target: { channel: ChannelRef; ts: string; actionId: string; value?: string }): Promise<InteractionResult>
  /** Chooses in a static_select (`value`) or multi_static_select (`values`). */
  select(user: UserRef, target: SelectTarget): Promise<InteractionResult>
  slashCommand(user: UserRef, input: { channel: ChannelRef; command: string; text?: string }): Promise<InteractionResult>

  /** What people see: top level (or one thread with `threadTs`), in order, deleted ones left out. */
  messages(channel: ChannelRef, opts?: { threadTs?: string }): MessageView[]
  thread(channel: ChannelRef, threadTs: string): MessageView[]
  /** One message, deleted ones included (`deleted: true`). */
  message(channel: ChannelRef, ts: string): MessageView | undefined
  ephemerals(user?: UserRef): Ephemeral[]
  responses(): ResponseRecord[]
  statuses(): StatusView[]
  /** The assistant status showing in a thread now, if any. */
  statusOf(channel: ChannelRef, threadTs: string): string | undefined
  reactions(channel: ChannelRef, ts: string): ReactionView[]
  /** Every file (uploads by the bot and by people), without bytes; see fileData. */
  files(): FileView[]
  fileData(fileId: string): Buffer | undefined
  envelopes(filter?: { type?: EnvelopeType }): EnvelopeRecord[]
  requests(filter?: { method?: string }): RequestRecord[]
  stats(): Stats

  /** Resolves with the predicate's first truthy value, re-checked on every state change (default 30 s). */
  waitFor<T>(predicate: (fake: FakeSlack) => T | undefined | null | false, opts?: { timeoutMs?: number; what?: string }): Promise<T>
  waitForConnection(opts?: { count?: number; timeoutMs?: number }): Promise<void>
  connections(): number
  dropSockets(): void
  refuseSockets(refused: boolean): void
  /** Sends a `disconnect` frame on every open socket; returns how many. */
  sendDisconnect(reason: DisconnectReason): number
  /** Sends a delivery again as Slack does when it missed the ack (same payload, retry_attempt + 1); resolves once acknowledged again. */
  redeliver(envelope: { seq: number }, reason?: string): Promise<EnvelopeRecord>

  /** The next `count` calls of `method` get HTTP 429 with `Retry-After: retryAfterSec`. */
  forceRateLimit(method: string, count?: number, retryAfterSec?: number): void
  setRateLimits(setting: boolean | Partial<RateTable>): void
  /** The next `count` calls of `method` answer `{ok:false, error}`. */
  failNext(method: string, error: string, count?: number): void
  setStreaming(enabled: boolean): void
  setEditWindow(seconds: number | undefined): void
  /** Ends a stream as Slack does after a few minutes: later appends fail message_not_in_streaming_state. */
  expireStream(channel: ChannelRef, ts: string): void
  close(): Promise<void>
}

const idOf = (ref: UserRef | ChannelRef) => (typeof ref === "string" ? ref : ref.id)

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const state = new FakeState({
    teamName: options.teamName ?? "Switchboard Test",
    botName: options.botName ?? "switchboard",
    scopes: [...(options.scopes ?? DEFAULT_SCOPES)],
    streaming: options.streaming ?? true,
    editWindowSeconds: options.editWindowSeconds,
  })
  const limiter = new RateLimiter({
    enabled: options.rateLimits !== false,
    table: typeof options.rateLimits === "object" ? options.rateLimits : undefined,
    scale: options.rateLimitScale,
  })
  const faults = new Faults()
  const log: RequestRecord[] = []
  const ackTimeoutMs = options.ackTimeoutMs ?? LIMITS.ackDeadlineMs.max
  const maxRedeliveries = options.maxRedeliveries ?? LIMITS.redeliveries.max
  const redeliver = { events_api: true, interactive: true, slash_commands: true, ...options.redeliver }
  const hub = new SocketHub(state, { ackTimeoutMs, maxRedeliveries, redeliver }, (r) => ix.onAck(r))
  const ix = new Interactions(state, hub)
  const server = createFakeServer({ state, limiter, faults, hub, interactions: ix, log, openConnection: () => hub.issueUrl() })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const member = (userId: string, channelId: string) => {
    const user = state.requireUser(userId)
    const channel = state.requireChannel(channelId)
    if (!channel.members.has(userId)) throw new Error(`fake-slack: ${user.name} is not a member of ${channel.name}`)
    return channel
  }
  const own = (userId: string, channelId: string, ts: string) => {
    const m = state.requireMessage(member(userId, channelId).id, ts)
    if (m.user !== userId) throw new Error(`fake-slack: ${ts} is not ${userId}'s message`)
    return m
  }
  const live = (channel: ChannelRef, ts: string) => state.requireMessage(idOf(channel), ts)
  const handle = (c: { id: string; name: string; type: ChannelType }): ChannelHandle => ({ id: c.id, name: c.name, type: c.type })

  const fake: FakeSlack = {
    url: `${state.baseUrl}/api/`,
    baseUrl: state.baseUrl,
    team: { ...state.team },
    bot: { ...state.bot },

    addUser: (input) => {
      const u = state.addUser(input)
      return { id: u.id, name: u.name, realName: u.realName }
    },
    addUserGroup: (input) => structuredClone(state.addUserGroup({ ...input, members: input.members.map(idOf) })),
    addChannel: (input) => {
      const members = input.members.map(idOf)
      if (input.bot !== false && input.type !== "im") members.push(state.bot.userId)
      return handle(state.addChannel({ name: input.name, type: input.type, members: [...new Set(members)] }))
    },
    dm: (user) => handle(state.dm(idOf(user))),

    postAs: (user, post) => {
      const userId = idOf(user)
      const channel = member(userId, idOf(post.channel))
      const fileIds = (post.files ?? []).map((f) => f.id)
      for (const id of fileIds) if (state.files.get(id)?.user !== userId) throw new Error(`fake-slack: ${id} is not ${userId}'s upload`)
      const m = createMessage(state, userId, channel.id, {
        text: post.text,
        blocks: state.botIdOf(userId) ? [] : [richTextBlock(post.text)],
        threadTs: post.threadTs,
        replyBroadcast: post.replyBroadcast,
        fileIds,
        clientMsgId: state.botIdOf(userId) ? undefined : newClientMsgId(),
      })
      return viewOf(state, m)
    },
    editAs: (user, edit) => {
      const userId = idOf(user)
      const m = own(userId, idOf(edit.channel), edit.ts)
      updateMessage(state, m, { text: edit.text, blocks: m.clientMsgId ? [richTextBlock(edit.text)] : undefined }, userId)
      return viewOf(state, m)
    },
    deleteAs: (user, target) => deleteMessage(state, own(idOf(user), idOf(target.channel), target.ts)),
    reactAs: (user, t) => addReaction(state, idOf(user), live(member(idOf(user), idOf(t.channel)), t.ts), t.name),
    unreactAs: (user, t) => removeReaction(state, idOf(user), live(member(idOf(user), idOf(t.channel)), t.ts), t.name),
    uploadFile: (user, file) => {
      const f = humanUpload(state, idOf(user), file)
      return { ...fileObject(state, f), id: f.id }
    },
    click: (user, t) => ix.click(idOf(user), { ...t, channel: idOf(t.channel) }),
    select: (user, t) => ix.select(idOf(user), { ...t, channel: idOf(t.channel) }),
    slashCommand: (user, input) => ix.slashCommand(idOf(user), { ...input, channel: idOf(input.channel) }),

    messages: (channel, opts = {}) => {
      const all = state.messages.get(idOf(channel)) ?? []
      const shown = opts.threadTs
        ? all.filter((m) => m.ts === opts.threadTs || m.threadTs === opts.threadTs)
        : all.filter((m) => !m.threadTs || m.replyBroadcast)
      return shown.filter((m) => !m.deleted).map((m) => viewOf(state, m))
    },
    thread: (channel, threadTs) => fake.messages(channel, { threadTs }),
    message: (channel, ts) => {
      const m = state.message(idOf(channel), ts)
      return m && viewOf(state, m)
    },
    ephemerals: (user) => structuredClone(state.ephemerals.filter((e) => user === undefined || e.userId === idOf(user))),
    responses: () => structuredClone(state.responses),
    statuses: () => statusViews(state),
    statusOf: (channel, threadTs) =>
      statusViews(state).find((s) => s.channelId === idOf(channel) && s.threadTs === threadTs && s.showing)?.status,
    reactions: (channel, ts) => {
      const m = state.message(idOf(channel), ts)
      return m ? viewOf(state, m).reactions : []
    },
    files: () =>
      [...state.files.values()].map((f) => ({
        id: f.id, name: f.name, title: f.title, mimetype: f.mimetype, size: f.size, user: f.user, complete: f.complete, channels: [...f.channels],
      })),
    fileData: (fileId) => state.files.get(fileId)?.data,
    envelopes: (filter = {}) =>
      structuredClone(hub.deliveries.map((d) => d.record).filter((r) => !filter.type || r.type === filter.type)),
    requests: (filter = {}) => structuredClone(log.filter((r) => !filter.method || r.method === filter.method)),
    stats: () => buildStats(log, hub),

    waitFor: (predicate, opts = {}) => waitForState(state, hub, () => predicate(fake), opts),
    waitForConnection: async (opts = {}) => {
      const count = opts.count ?? 1
      await fake.waitFor(() => hub.count() >= count, { timeoutMs: opts.timeoutMs, what: `${count} Socket Mode connection(s)` })
    },
    connections: () => hub.count(),
    dropSockets: () => hub.dropAll(),
    refuseSockets: (refused) => {
      hub.refused = refused
    },
    sendDisconnect: (reason) => hub.sendDisconnect(reason),
    redeliver: async (envelope, reason = "timeout") => structuredClone(await hub.redeliver(envelope.seq, reason)),

    forceRateLimit: (method, count = 1, retryAfterSec = 1) => limiter.force(method, count, retryAfterSec),
    setRateLimits: (setting) => limiter.configure(setting),
    failNext: (method, error, count = 1) => faults.failNext(method, error, count),
    setStreaming: (enabled) => {
      state.streaming = enabled
      state.changed()
    },
    setEditWindow: (seconds) => {
      state.editWindowSeconds = seconds
    },
    expireStream: (channel, ts) => expireStream(state, idOf(channel), ts),
    close: async () => {
      faults.clear()
      await hub.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return fake
}
