// The fake's whole world in memory: users, guilds with roles and members, channels, messages,
// reactions, uploaded bytes, typing, commands and interactions, plus lookups that throw Discord's
// errors. Every mutation ends in `changed()` (drives `waitFor`); gateway events go out through
// `dispatch()` (the gateway subscribes). Knows nothing about HTTP or sockets.
import { errors } from "./errors.ts"
import type { PrivilegedIntents } from "./intents.ts"
import { channelPermissions, PERMISSIONS } from "./permissions.ts"
import {
  CHANNEL_TYPES,
  type ChannelRecord,
  type CommandRecord,
  type GuildRecord,
  type InteractionRecord,
  type Json,
  type MemberRecord,
  type MessageRecord,
  type UserRecord,
} from "./types.ts"

/** One gateway event before a session gives it a sequence number. */
export interface Dispatch {
  t: string
  d: Json
  /** The intent a session needs to receive it; 0 = always. */
  intent: number
  /** MESSAGE_CREATE/UPDATE of a message whose content blanks without MessageContent. */
  contentGated: boolean
}

export interface TypingRecord {
  userId: string
  channelId: string
  at: number
  via: "rest" | "human"
}

export interface ReactionRecord {
  messageId: string
  channelId: string
  emoji: string
  userIds: string[]
}

export interface StoredFile {
  bytes: Buffer
  contentType: string
  filename: string
}

export class FakeState {
  readonly users = new Map<string, UserRecord>()
  readonly guilds = new Map<string, GuildRecord>()
  /** Keyed `${guildId}:${userId}`. */
  readonly members = new Map<string, MemberRecord>()
  readonly channels = new Map<string, ChannelRecord>()
  /** Every message by id (ids are unique across channels). Insertion order is creation order. */
  readonly messages = new Map<string, MessageRecord>()
  /** messageId → emoji → user ids, in reaction order. */
  readonly reactions = new Map<string, Map<string, string[]>>()
  /** Attachment id → bytes, served at the attachment's `url`. */
  readonly files = new Map<string, StoredFile>()
  readonly typing: TypingRecord[] = []
  commands: CommandRecord[] = []
  readonly interactions = new Map<string, InteractionRecord>()
  readonly bot: UserRecord
  readonly botToken: string
  /** For a bot, the application id equals the bot user's id. */
  readonly applicationId: string
  privileged: PrivilegedIntents
  /** `http://127.0.0.1:PORT`, set once the server listens. */
  baseUrl = ""
  /** IDENTIFYs accepted so far (for `session_start_limit.remaining`). */
  identifies = 0
  private readonly changeListeners = new Set<() => void>()
  private readonly sinks = new Set<(d: Dispatch) => void>()

  constructor(init: { bot: UserRecord; botToken: string; privileged: PrivilegedIntents }) {
    this.bot = init.bot
    this.botToken = init.botToken
    this.applicationId = init.bot.id
    this.privileged = init.privileged
    this.users.set(init.bot.id, init.bot)
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  changed(): void {
    for (const l of [...this.changeListeners]) l()
  }

  onDispatch(sink: (d: Dispatch) => void): void {
    this.sinks.add(sink)
  }

  dispatch(d: Dispatch): void {
    for (const s of this.sinks) s(d)
  }

  requireUser(id: string): UserRecord {
    const u = this.users.get(id)
    if (!u) throw errors.unknownUser()
    return u
  }

  requireGuild(id: string): GuildRecord {
    const g = this.guilds.get(id)
    if (!g) throw errors.unknownGuild()
    return g
  }

  member(guildId: string, userId: string): MemberRecord | undefined {
    return this.members.get(`${guildId}:${userId}`)
  }

  requireMember(guildId: string, userId: string): MemberRecord {
    const m = this.member(guildId, userId)
    if (!m) throw errors.unknownMember()
    return m
  }

  requireChannel(id: string): ChannelRecord {
    const c = this.channels.get(id)
    if (!c) throw errors.unknownChannel()
    return c
  }

  /** A live (not deleted, not ephemeral) message in that channel. */
  requireMessage(channelId: string, id: string): MessageRecord {
    const m = this.messages.get(id)
    if (!m || m.deleted || m.ephemeralTo || m.wire.channel_id !== channelId) throw errors.unknownMessage()
    return m
  }

  isThread(c: ChannelRecord): boolean {
    return c.type === CHANNEL_TYPES.publicThread || c.type === CHANNEL_TYPES.privateThread
  }

  /** The channel whose overwrites apply (a thread's parent), for permission checks. */
  permissionChannel(c: ChannelRecord): ChannelRecord {
    return this.isThread(c) && c.parent_id ? (this.channels.get(c.parent_id) ?? c) : c
  }

  /** Permissions of a user in a channel (DMs: view, send, react and history). */
  permissions(userId: string, channel: ChannelRecord): bigint {
    if (!channel.guild_id) {
      const P = PERMISSIONS
      return P.viewChannel | P.sendMessages | P.addReactions | P.readMessageHistory | P.attachFiles | P.embedLinks
    }
    const guild = this.requireGuild(channel.guild_id)
    return channelPermissions(guild, this.member(guild.id, userId), userId, this.permissionChannel(channel))
  }

  /** Throws 50001 unless the bot can view the channel, then 50013 unless it holds `needed`. */
  requireBotPermission(channel: ChannelRecord, needed = 0n): void {
    const perms = this.permissions(this.bot.id, channel)
    if (!(perms & PERMISSIONS.viewChannel)) throw errors.missingAccess()
    if ((perms & needed) !== needed) throw errors.missingPermissions()
  }

  /** Messages of a channel in creation order, deleted and ephemeral ones included. */
  channelMessages(channelId: string): MessageRecord[] {
    return [...this.messages.values()].filter((m) => m.wire.channel_id === channelId)
  }

  /** A DM channel's other party, or undefined for guild channels. */
  dmRecipient(channel: ChannelRecord): UserRecord | undefined {
    return channel.type === CHANNEL_TYPES.dm ? channel.recipients?.[0] : undefined
  }
}
