// The fake workspace in memory: team, app and bot identity, users, user groups, channels and
// membership, and the raw stores (messages per channel, files, reactions, ephemerals, statuses,
// response_url posts) that the domain files operate on. Every mutation ends in `changed()`,
// which drives `waitFor`; Events API payloads leave through `emitEvent()` (the socket hub
// subscribes). Knows nothing about HTTP or WebSockets.
import { newId, SlackError, type Channel, type ChannelType, type Ephemeral, type Json, type Message } from "./types.ts"
import type { ResponseRecord, StatusRecord, StoredFile, User } from "./types.ts"

export interface Team {
  id: string
  name: string
  domain: string
}

export interface BotIdentity {
  userId: string
  botId: string
  appId: string
  name: string
  token: string
  appToken: string
}

export interface UserGroup {
  id: string
  handle: string
  name: string
  members: string[]
}

export type EventSink = (payload: Json) => void

const CHANNEL_PREFIX: Record<ChannelType, string> = { public: "C", private: "C", im: "D", mpim: "G" }

export class FakeState {
  readonly team: Team
  readonly bot: BotIdentity
  readonly users = new Map<string, User>()
  readonly userGroups = new Map<string, UserGroup>()
  readonly channels = new Map<string, Channel>()
  /** Per channel, in `ts` order (creation order, since `ts` only grows). Deleted ones stay, flagged. */
  readonly messages = new Map<string, Message[]>()
  readonly files = new Map<string, StoredFile>()
  /** Key `${channel}/${ts}` → reaction name → user ids, in the order they reacted. */
  readonly reactions = new Map<string, Map<string, string[]>>()
  readonly ephemerals: Ephemeral[] = []
  readonly statuses: StatusRecord[] = []
  readonly responses: ResponseRecord[] = []
  /** Granted bot scopes, as auth.test reports them (assistant:write follows `streaming`). */
  readonly scopes: Set<string>
  streaming: boolean
  /** Messages older than this may not be edited (`edit_window_closed`); undefined = no limit. */
  editWindowSeconds: number | undefined
  /** `http://127.0.0.1:PORT`, set once the server listens. */
  baseUrl = ""
  private readonly changeListeners = new Set<() => void>()
  private readonly sinks = new Set<EventSink>()

  constructor(opts: { teamName: string; botName: string; scopes: string[]; streaming: boolean; editWindowSeconds?: number }) {
    this.team = { id: newId("T"), name: opts.teamName, domain: opts.teamName.toLowerCase().replace(/[^a-z0-9-]/g, "-") }
    this.bot = {
      userId: newId("U"),
      botId: newId("B"),
      appId: newId("A"),
      name: opts.botName,
      token: `xoxb-${newId("", 12)}-${newId("", 24)}`.toLowerCase(),
      appToken: `xapp-1-${newId("A")}-${newId("", 12)}-${newId("", 32)}`.toLowerCase(),
    }
    this.scopes = new Set(opts.scopes)
    this.streaming = opts.streaming
    this.editWindowSeconds = opts.editWindowSeconds
    const botUser: User = { id: this.bot.userId, name: opts.botName, realName: opts.botName, isAdmin: false, isBot: true, botId: this.bot.botId }
    this.users.set(botUser.id, botUser)
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  changed(): void {
    for (const l of [...this.changeListeners]) l()
  }

  onEvent(sink: EventSink): void {
    this.sinks.add(sink)
  }

  /** Hands an `event_callback` payload to the socket hub (which wraps it in an envelope). */
  emitEvent(payload: Json): void {
    for (const s of this.sinks) s(payload)
  }

  /** The scopes auth.test reports: `assistant:write` exists only while streaming (the AI feature) is on. */
  grantedScopes(): string[] {
    return [...this.scopes].filter((s) => s !== "assistant:write" || this.streaming)
  }

  hasScope(scope: string): boolean {
    return this.grantedScopes().includes(scope)
  }

  addUser(input: { name: string; realName?: string; isAdmin?: boolean; isBot?: boolean }): User {
    if ([...this.users.values()].some((u) => u.name === input.name)) throw new Error(`fake-slack: user name "${input.name}" is taken`)
    const user: User = {
      id: newId("U"),
      name: input.name,
      realName: input.realName ?? input.name,
      isAdmin: input.isAdmin ?? false,
      isBot: input.isBot ?? false,
      botId: input.isBot ? newId("B") : undefined,
    }
    this.users.set(user.id, user)
    this.changed()
    return user
  }

  addUserGroup(input: { handle: string; name?: string; members: string[] }): UserGroup {
    for (const m of input.members) this.requireUser(m)
    const group: UserGroup = { id: newId("S"), handle: input.handle, name: input.name ?? input.handle, members: [...input.members] }
    this.userGroups.set(group.id, group)
    this.changed()
    return group
  }

  addChannel(input: { name: string; type?: ChannelType; members: string[] }): Channel {
    const type = input.type ?? "public"
    for (const m of input.members) this.requireUser(m)
    const channel: Channel = {
      id: newId(CHANNEL_PREFIX[type]),
      name: input.name,
      type,
      members: new Set(input.members),
      created: Math.floor(Date.now() / 1000),
      creator: input.members[0] ?? this.bot.userId,
    }
    this.channels.set(channel.id, channel)
    this.messages.set(channel.id, [])
    this.changed()
    return channel
  }

  /** The bot's DM with `userId`, created on first use. */
  dm(userId: string): Channel {
    this.requireUser(userId)
    const existing = [...this.channels.values()].find(
      (c) => c.type === "im" && c.members.has(userId) && c.members.has(this.bot.userId) && c.members.size <= 2,
    )
    return existing ?? this.addChannel({ name: userId, type: "im", members: [this.bot.userId, userId] })
  }

  requireUser(id: string): User {
    const u = this.users.get(id)
    if (!u) throw new SlackError("user_not_found")
    return u
  }

  requireChannel(id: unknown): Channel {
    const c = typeof id === "string" ? this.channels.get(id) : undefined
    if (!c) throw new SlackError("channel_not_found")
    return c
  }

  /** A channel the bot can act in: Slack answers not_in_channel for non-members. */
  requireBotChannel(id: unknown): Channel {
    const c = this.requireChannel(id)
    if (!c.members.has(this.bot.userId)) throw new SlackError("not_in_channel")
    return c
  }

  message(channel: string, ts: string): Message | undefined {
    return this.messages.get(channel)?.find((m) => m.ts === ts)
  }

  /** A live (not deleted) message, else `message_not_found`. */
  requireMessage(channel: string, ts: unknown): Message {
    const m = typeof ts === "string" ? this.message(channel, ts) : undefined
    if (!m || m.deleted) throw new SlackError("message_not_found")
    return m
  }

  /** A parent and its replies, in `ts` order; deleted ones included. */
  threadOf(channel: string, threadTs: string): Message[] {
    return (this.messages.get(channel) ?? []).filter((m) => m.ts === threadTs || m.threadTs === threadTs)
  }

  repliesTo(m: Message): Message[] {
    return (this.messages.get(m.channel) ?? []).filter((r) => r.threadTs === m.ts && !r.deleted)
  }

  /** Slack's `channel_type` for events: channel | group | im | mpim. */
  channelType(c: Channel): "channel" | "group" | "im" | "mpim" {
    return c.type === "public" ? "channel" : c.type === "private" ? "group" : c.type
  }

  /** Whether a user id is the fake's own bot or another bot user (its messages carry bot_id). */
  botIdOf(userId: string): string | undefined {
    return this.users.get(userId)?.botId
  }
}
