// Wire-level vocabulary of the fake Slack: the records it stores (users, channels, messages,
// files, ephemerals, statuses, response_url posts), the `SlackError` that every Web API handler
// throws to answer `{ok:false, error}`, ids in Slack's shapes and the `ts` clock. Imports nothing
// from the rest of the fake, so every other file may import it.
import { randomBytes, randomUUID } from "node:crypto"

export type Json = Record<string, unknown>

export type ChannelType = "public" | "private" | "im" | "mpim"

export interface User {
  id: string
  name: string
  realName: string
  isAdmin: boolean
  isBot: boolean
  /** Set for bot users: the `B…` id their messages carry as `bot_id`. */
  botId: string | undefined
}

export interface Channel {
  id: string
  name: string
  type: ChannelType
  members: Set<string>
  created: number
  creator: string
}

export interface StreamState {
  state: "streaming" | "stopped"
  /** Every chunk received by start/append/stop, in order (markdown_text, task_update, plan_update, blocks). */
  chunks: Json[]
  recipientUserId: string | undefined
  recipientTeamId: string | undefined
  /** A chat.update after the stream stopped replaced what the message shows (chunks are kept). */
  replaced?: boolean
}

export interface Message {
  channel: string
  ts: string
  user: string
  /** Present when a bot posted it (the fake's own bot or another bot user). */
  botId: string | undefined
  text: string
  blocks: Json[]
  attachments: Json[]
  /** Parent `ts` for thread replies; a parent keeps it unset. */
  threadTs: string | undefined
  replyBroadcast: boolean
  metadata: Json | undefined
  fileIds: string[]
  subtype: string | undefined
  edited: { user: string; ts: string } | undefined
  deleted: boolean
  /** Set for messages created by chat.startStream. */
  stream: StreamState | undefined
  /** The human's `client_msg_id` (bots have none). */
  clientMsgId: string | undefined
}

export interface StoredFile {
  id: string
  name: string
  title: string
  mimetype: string
  user: string
  created: number
  /** Declared by files.getUploadURLExternal; replaced by the real byte count on upload. */
  size: number
  data: Buffer | undefined
  /** true once files.completeUploadExternal (or a human upload) finished it. */
  complete: boolean
  channels: string[]
}

export type EphemeralSource = "chat.postEphemeral" | "response_url" | "slash_command_ack"

export interface Ephemeral {
  userId: string
  channel: string
  ts: string
  text: string
  blocks: Json[]
  threadTs: string | undefined
  source: EphemeralSource
}

export interface StatusRecord {
  channelId: string
  threadTs: string
  status: string
  loadingMessages: string[]
  setAt: number
  /** When and why it stopped showing; Slack also clears after 2 minutes (derived on read). */
  clearedAt: number | undefined
  clearedBy: "empty_status" | "app_posted" | "replaced" | undefined
}

export type ResponseOutcome = "replaced" | "deleted" | "ephemeral" | "in_channel" | "rejected"

export interface ResponseRecord {
  /** The response_url's id (its last path segment). */
  id: string
  url: string
  origin: "block_actions" | "slash_command" | "slash_command_ack"
  userId: string
  channelId: string
  /** The message the interaction came from (block_actions only). */
  messageTs: string | undefined
  body: Json
  at: number
  outcome: ResponseOutcome
  /** Why it was rejected (e.g. `used_url`, `expired_url`). */
  error: string | undefined
}

/** Answered as HTTP 200 `{ok:false, error, ...extra}`, the way the Web API reports failures. */
export class SlackError extends Error {
  readonly error: string
  readonly extra: Json
  constructor(error: string, extra: Json = {}) {
    super(error)
    this.name = "SlackError"
    this.error = error
    this.extra = extra
  }
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/** A Slack-looking id: `prefix` then upper-case alphanumerics (`U04ABCDEF12`). */
export function newId(prefix: string, length = 10): string {
  return prefix + [...randomBytes(length)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join("")
}

export const newClientMsgId = () => randomUUID()

let lastMicros = 0

/** Message timestamps: "seconds.micros" from the wall clock, strictly increasing and unique. */
export function nextTs(): string {
  lastMicros = Math.max(Date.now() * 1000, lastMicros + 1)
  const seconds = Math.floor(lastMicros / 1_000_000)
  return `${seconds}.${String(lastMicros % 1_000_000).padStart(6, "0")}`
}

/** Orders two `ts` strings numerically (they compare as decimals, not as text). */
export const tsNumber = (ts: string): number => Number(ts)
