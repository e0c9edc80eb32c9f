// Stored records of the fake Discord, spelled as on the wire (snake_case), plus snowflake ids.
// Records are what the REST and gateway payloads are built from (payloads.ts); the internal
// fields the wire never shows live beside them (MessageRecord.createdAt, .deleted, …).
// Imports nothing from the rest of the fake.
import { randomBytes } from "node:crypto"

export type Json = Record<string, unknown>

/** Channel types the fake models (Discord's numbers). */
export const CHANNEL_TYPES = {
  text: 0,
  dm: 1,
  voice: 2,
  category: 4,
  announcement: 5,
  publicThread: 11,
  privateThread: 12,
  forum: 15,
} as const
export type ChannelKind = "text" | "forum" | "voice" | "category" | "announcement"

/** Message types the fake produces. */
export const MESSAGE_TYPES = { default: 0, threadCreated: 18, reply: 19, chatInputCommand: 20, threadStarter: 21 } as const

/** Message flags the fake uses. */
export const MESSAGE_FLAGS = { hasThread: 1 << 5, ephemeral: 1 << 6, loading: 1 << 7, suppressNotifications: 1 << 12 } as const

export interface UserRecord {
  id: string
  username: string
  global_name: string | null
  discriminator: string
  avatar: null
  bot: boolean
  public_flags: number
  flags: number
}

export interface RoleRecord {
  id: string
  name: string
  color: number
  hoist: boolean
  icon: null
  unicode_emoji: null
  position: number
  /** Permission bits as a decimal string, as on the wire. */
  permissions: string
  managed: boolean
  mentionable: boolean
  flags: number
  /** `{bot_id}` on a bot's managed role. */
  tags?: Json
}

export interface GuildRecord {
  id: string
  name: string
  owner_id: string
  joined_at: string
  /** `roles[0]` is `@everyone`, whose id is the guild id. */
  roles: RoleRecord[]
}

export interface MemberRecord {
  guild_id: string
  user_id: string
  /** Role ids, without `@everyone`. */
  roles: string[]
  nick: string | null
  joined_at: string
}

export interface ThreadMetadata {
  archived: boolean
  auto_archive_duration: number
  archive_timestamp: string
  locked: boolean
  create_timestamp: string
  invitable?: boolean
}

export interface PermissionOverwrite {
  id: string
  /** 0 = role, 1 = member. */
  type: 0 | 1
  allow: string
  deny: string
}

export interface ChannelRecord {
  id: string
  type: number
  guild_id?: string
  name?: string
  parent_id?: string | null
  position?: number
  topic?: string | null
  nsfw?: boolean
  permission_overwrites?: PermissionOverwrite[]
  rate_limit_per_user?: number
  last_message_id: string | null
  flags: number
  /** Threads. */
  owner_id?: string
  thread_metadata?: ThreadMetadata
  message_count?: number
  member_count?: number
  total_message_sent?: number
  applied_tags?: string[]
  /** Forums. */
  available_tags?: Json[]
  /** DMs. */
  recipients?: UserRecord[]
}

export interface AttachmentRecord {
  id: string
  filename: string
  size: number
  url: string
  proxy_url: string
  content_type?: string
  description?: string
  title?: string
}

export interface MessageReference {
  type?: number
  message_id?: string
  channel_id?: string
  guild_id?: string
  fail_if_not_exists?: boolean
}

/** The message as stored; `reactions`, `thread` and `referenced_message` are derived when serialised. */
export interface MessageWire {
  id: string
  channel_id: string
  author: UserRecord
  content: string
  timestamp: string
  edited_timestamp: string | null
  tts: boolean
  mention_everyone: boolean
  mentions: UserRecord[]
  mention_roles: string[]
  attachments: AttachmentRecord[]
  embeds: Json[]
  components: Json[]
  pinned: boolean
  type: number
  flags: number
  message_reference?: MessageReference
  webhook_id?: string
  application_id?: string
  interaction_metadata?: Json
  position?: number
  nonce?: string | number
}

/** Who a message actually notifies, after `allowed_mentions` (README "Mentions"). */
export interface Pings {
  users: string[]
  roles: string[]
  everyone: boolean
  repliedUser: string | null
}

export interface MessageRecord {
  wire: MessageWire
  /** Epoch ms the fake treats as the creation time; `ageMessage` moves it back. */
  createdAt: number
  deleted: boolean
  /** Set for ephemeral interaction replies: only this user sees the message. */
  ephemeralTo?: string
  pings: Pings
  /** The thread started from this message (its id equals the message id). */
  threadId?: string
}

const DISCORD_EPOCH = 1420070400000n
let lastMs = 0
let increment = 0

/** A real-looking snowflake (timestamp, worker 1, increment), strictly increasing across calls. */
export function snowflake(ms = Date.now()): string {
  const at = Math.max(ms, lastMs)
  increment = at === lastMs ? (increment + 1) & 0xfff : 0
  if (at === lastMs && increment === 0) lastMs = at + 1
  else lastMs = at
  return (((BigInt(lastMs) - DISCORD_EPOCH) << 22n) | (1n << 17n) | BigInt(increment)).toString()
}

/** The creation time embedded in a snowflake. */
export const snowflakeTime = (id: string): number => Number((BigInt(id) >> 22n) + DISCORD_EPOCH)

export const iso = (ms = Date.now()): string => new Date(ms).toISOString()

/** A random token in Discord's charset (bot and interaction tokens are opaque to clients). */
export const randomToken = (bytes = 24): string => randomBytes(bytes).toString("base64url")

/** Compares snowflakes numerically (they are decimal strings of varying length). */
export const bySnowflake = (a: string, b: string): number => {
  const d = BigInt(a) - BigInt(b)
  return d < 0n ? -1 : d > 0n ? 1 : 0
}

/** An application command as registered by a bulk overwrite (`guildId` null = global). */
export interface CommandRecord {
  guildId: string | null
  wire: Json & { id: string; name: string; type: number; options?: Json[] }
}

export type InteractionKind = "button" | "select" | "command" | "autocomplete"

export interface CallbackRecord {
  type: number
  data: Json | undefined
  /** Milliseconds from the INTERACTION_CREATE dispatch to the callback. */
  latencyMs: number
  at: number
  withResponse: boolean
}

export interface InteractionRecord {
  id: string
  token: string
  kind: InteractionKind
  /** Wire interaction type: 2 command, 3 component, 4 autocomplete. */
  type: number
  userId: string
  guildId: string | null
  channelId: string
  /** The message holding the clicked component. */
  messageId: string | null
  customId: string | null
  values: string[] | null
  commandName: string | null
  options: Json[] | null
  /** Epoch ms of the dispatch; `ageInteraction` moves it back (token lifetime). */
  createdAt: number
  deadlineMs: number
  status: "pending" | "answered" | "failed"
  callback: CallbackRecord | null
  /** Callbacks the fake refused (late, or a second one), with the error code it answered. */
  rejectedCallbacks: { type: number; at: number; code: number }[]
  /** `@original`: the reply for types 4/5, the component's message for 6/7. */
  originalId: string | null
  followUpIds: string[]
  /** Type 8 answers. */
  choices: Json[] | null
  /** Type 9 answers. */
  modal: Json | null
}
