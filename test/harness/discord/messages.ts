// Creating, editing and deleting messages for every writer (bot REST, humans, interaction
// replies, webhooks): references, mentions, channel and thread counters, and the gateway echo
// (MESSAGE_CREATE / MESSAGE_UPDATE / MESSAGE_DELETE; none for ephemeral messages). Bodies are
// validated by the caller (validate.ts); this file trusts its input.
import { errors, fieldError, invalidForm } from "./errors.ts"
import { intentFor } from "./intents.ts"
import { resolveMentions, type AllowedMentions } from "./mentions.ts"
import { contentExempt, gatewayMessage } from "./payloads.ts"
import type { FakeState } from "./state.ts"
import {
  iso,
  MESSAGE_FLAGS,
  MESSAGE_TYPES,
  snowflake,
  type AttachmentRecord,
  type ChannelRecord,
  type Json,
  type MessageRecord,
  type MessageReference,
  type UserRecord,
} from "./types.ts"

export interface MessageInput {
  /** Forum posts: the starter message's id equals the thread's id. */
  id?: string
  content?: string
  embeds?: Json[]
  components?: Json[]
  attachments?: AttachmentRecord[]
  flags?: number
  tts?: boolean
  nonce?: string | number
  message_reference?: MessageReference
  allowed_mentions?: AllowedMentions
  /** Defaults to 0, or 19 (reply) when `message_reference` points at a message. */
  type?: number
  webhook_id?: string
  application_id?: string
  interaction_metadata?: Json
  /** Ephemeral interaction replies: stored for this user only, never dispatched. */
  ephemeralTo?: string
}

/** Flags a writer may set: SUPPRESS_EMBEDS, EPHEMERAL, LOADING (deferred replies), SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2. */
const SETTABLE_FLAGS = (1 << 2) | MESSAGE_FLAGS.ephemeral | MESSAGE_FLAGS.loading | MESSAGE_FLAGS.suppressNotifications | (1 << 15)

function resolveReference(state: FakeState, channel: ChannelRecord, ref: MessageReference | undefined) {
  if (!ref?.message_id) return { ref: undefined, repliedAuthor: null }
  const target = state.messages.get(ref.message_id)
  const ok = target && !target.deleted && !target.ephemeralTo && target.wire.channel_id === (ref.channel_id ?? channel.id)
  if (!ok) {
    if (ref.fail_if_not_exists === false) return { ref: undefined, repliedAuthor: null }
    throw invalidForm(fieldError("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"))
  }
  const out: MessageReference = { type: ref.type ?? 0, message_id: target.wire.id, channel_id: target.wire.channel_id }
  if (channel.guild_id) out.guild_id = channel.guild_id
  return { ref: out, repliedAuthor: target.wire.author.id }
}

export function announce(state: FakeState, t: "MESSAGE_CREATE" | "MESSAGE_UPDATE", rec: MessageRecord): void {
  if (rec.ephemeralTo) return
  const channel = state.channels.get(rec.wire.channel_id)
  const inDm = !channel?.guild_id
  state.dispatch({ t, d: gatewayMessage(state, rec), intent: intentFor(t, inDm), contentGated: !contentExempt(state, rec) })
}

export function createMessage(state: FakeState, channel: ChannelRecord, author: UserRecord, input: MessageInput): MessageRecord {
  const { ref, repliedAuthor } = resolveReference(state, channel, input.message_reference)
  const content = input.content ?? ""
  const mentions = resolveMentions(state, channel, author.id, content, input.allowed_mentions, repliedAuthor)
  const now = Date.now()
  const id = input.id ?? snowflake(now)
  const type = input.type ?? (ref && ref.type === 0 ? MESSAGE_TYPES.reply : MESSAGE_TYPES.default)
  const rec: MessageRecord = {
    wire: {
      id,
      channel_id: channel.id,
      author: structuredClone(author),
      content,
      timestamp: iso(now),
      edited_timestamp: null,
      tts: input.tts ?? false,
      mention_everyone: mentions.mention_everyone,
      mentions: mentions.mentions,
      mention_roles: mentions.mention_roles,
      attachments: input.attachments ?? [],
      embeds: input.embeds ?? [],
      components: input.components ?? [],
      pinned: false,
      type,
      flags: (input.flags ?? 0) & SETTABLE_FLAGS,
    },
    createdAt: now,
    deleted: false,
    pings: mentions.pings,
  }
  if (ref) rec.wire.message_reference = ref
  if (input.nonce !== undefined) rec.wire.nonce = input.nonce
  if (input.webhook_id) rec.wire.webhook_id = input.webhook_id
  if (input.application_id) rec.wire.application_id = input.application_id
  if (input.interaction_metadata) rec.wire.interaction_metadata = input.interaction_metadata
  if (input.ephemeralTo) rec.ephemeralTo = input.ephemeralTo
  state.messages.set(id, rec)
  if (!input.ephemeralTo) {
    channel.last_message_id = id
    if (state.isThread(channel)) {
      rec.wire.position = channel.total_message_sent ?? 0
      channel.message_count = (channel.message_count ?? 0) + 1
      channel.total_message_sent = (channel.total_message_sent ?? 0) + 1
    }
  }
  announce(state, "MESSAGE_CREATE", rec)
  state.changed()
  return rec
}

export interface MessagePatch {
  content?: string | null
  embeds?: Json[] | null
  components?: Json[] | null
  attachments?: AttachmentRecord[]
  flags?: number | null
  allowed_mentions?: AllowedMentions
}

/**
 * Applies an edit: fields present replace the stored ones (null clears), absent ones stay.
 * Mentions are re-parsed into `mentions`, but `pings` keep who was notified at creation:
 * Discord does not notify people newly mentioned by an edit.
 */
export function editMessage(state: FakeState, rec: MessageRecord, patch: MessagePatch): MessageRecord {
  const w = rec.wire
  if (patch.content !== undefined) w.content = patch.content ?? ""
  if (patch.embeds !== undefined) w.embeds = patch.embeds ?? []
  if (patch.components !== undefined) w.components = patch.components ?? []
  if (patch.attachments !== undefined) w.attachments = patch.attachments
  if (patch.flags !== undefined && patch.flags !== null) {
    // Only SUPPRESS_EMBEDS may change on edit; LOADING clears once a deferred reply is filled.
    w.flags = (w.flags & ~((1 << 2) | MESSAGE_FLAGS.loading)) | (patch.flags & (1 << 2))
  } else w.flags &= ~MESSAGE_FLAGS.loading
  if (patch.content !== undefined) {
    const channel = state.requireChannel(w.channel_id)
    const m = resolveMentions(state, channel, w.author.id, w.content, patch.allowed_mentions, null)
    w.mentions = m.mentions
    w.mention_roles = m.mention_roles
    w.mention_everyone = m.mention_everyone
  }
  w.edited_timestamp = iso()
  announce(state, "MESSAGE_UPDATE", rec)
  state.changed()
  return rec
}

export function deleteMessage(state: FakeState, rec: MessageRecord): void {
  if (rec.deleted) throw errors.unknownMessage()
  rec.deleted = true
  const channel = state.channels.get(rec.wire.channel_id)
  if (channel && state.isThread(channel)) channel.message_count = Math.max(0, (channel.message_count ?? 1) - 1)
  if (!rec.ephemeralTo) {
    const d: Json = { id: rec.wire.id, channel_id: rec.wire.channel_id }
    if (channel?.guild_id) d.guild_id = channel.guild_id
    state.dispatch({ t: "MESSAGE_DELETE", d, intent: intentFor("MESSAGE_DELETE", !channel?.guild_id), contentGated: false })
  }
  state.changed()
}

/** `GET /channels/{id}/messages`: newest first; `before`/`after`/`around` by id, 1–100 (default 50). */
export function listMessages(state: FakeState, channelId: string, query: URLSearchParams, max: number, fallback: number): MessageRecord[] {
  const live = state.channelMessages(channelId).filter((m) => !m.deleted && !m.ephemeralTo)
  const limit = Math.min(max, Math.max(1, Number(query.get("limit") ?? fallback) || fallback))
  const after = query.get("after")
  const before = query.get("before")
  const around = query.get("around")
  const big = (id: string) => BigInt(id)
  if (after) return live.filter((m) => big(m.wire.id) > big(after)).slice(0, limit).reverse()
  if (before) return live.filter((m) => big(m.wire.id) < big(before)).slice(-limit).reverse()
  if (around) {
    const i = live.findIndex((m) => big(m.wire.id) >= big(around))
    const start = Math.max(0, (i < 0 ? live.length : i) - Math.floor(limit / 2))
    return live.slice(start, start + limit).reverse()
  }
  return live.slice(-limit).reverse()
}
