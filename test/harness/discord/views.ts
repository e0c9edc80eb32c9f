// What people see, as plain snapshots for assertions: messages (content, components, embeds,
// attachments, edits, thread, who was pinged, reactions) and interactions (callback, latency,
// what the person saw, follow-ups). Read-only over FakeState; nothing here is a wire shape.
import type { FakeState } from "./state.ts"
import { MESSAGE_FLAGS, type CallbackRecord, type InteractionKind, type InteractionRecord, type Json, type MessageRecord, type MessageReference, type Pings } from "./types.ts"

export interface MessageView {
  id: string
  channelId: string
  author: { id: string; username: string; bot: boolean }
  content: string
  embeds: Json[]
  components: Json[]
  attachments: { id: string; filename: string; url: string; size: number; contentType: string | undefined }[]
  edited: boolean
  editedAt: string | null
  /** Discord message type (0 default, 18 thread created, 19 reply, 20 slash command reply). */
  type: number
  flags: number
  /** The thread started from this message, if any. */
  threadId: string | null
  reference: MessageReference | null
  /** Who this message notified, after `allowed_mentions`. */
  pings: Pings
  reactions: { emoji: string; count: number; userIds: string[] }[]
  /** Only `ephemeralTo` sees it (interaction replies with flags 64). */
  ephemeral: boolean
  ephemeralTo: string | null
  /** A deferred reply (type 5) not yet filled: people see "<bot> is thinking…". */
  loading: boolean
  deleted: boolean
  /** Epoch ms the fake treats as creation time (see `ageMessage`). */
  createdAt: number
  /** The interaction this message answers, if any. */
  interactionId: string | null
  /** The full wire object, for anything not surfaced above. */
  raw: Json
}

export function messageView(state: FakeState, rec: MessageRecord): MessageView {
  const w = rec.wire
  const byEmoji = state.reactions.get(w.id)
  return {
    id: w.id,
    channelId: w.channel_id,
    author: { id: w.author.id, username: w.author.username, bot: w.author.bot },
    content: w.content,
    embeds: structuredClone(w.embeds),
    components: structuredClone(w.components),
    attachments: w.attachments.map((a) => ({ id: a.id, filename: a.filename, url: a.url, size: a.size, contentType: a.content_type })),
    edited: w.edited_timestamp !== null,
    editedAt: w.edited_timestamp,
    type: w.type,
    flags: w.flags,
    threadId: rec.threadId ?? null,
    reference: w.message_reference ? structuredClone(w.message_reference) : null,
    pings: structuredClone(rec.pings),
    reactions: [...(byEmoji ?? [])].map(([emoji, users]) => ({ emoji, count: users.length, userIds: [...users] })),
    ephemeral: Boolean(rec.ephemeralTo),
    ephemeralTo: rec.ephemeralTo ?? null,
    loading: (w.flags & MESSAGE_FLAGS.loading) !== 0,
    deleted: rec.deleted,
    createdAt: rec.createdAt,
    interactionId: typeof w.interaction_metadata?.id === "string" ? w.interaction_metadata.id : null,
    raw: structuredClone(w) as unknown as Json,
  }
}

export interface InteractionView {
  id: string
  token: string
  kind: InteractionKind
  userId: string
  guildId: string | null
  channelId: string
  messageId: string | null
  customId: string | null
  values: string[] | null
  commandName: string | null
  options: Json[] | null
  status: "pending" | "answered" | "failed"
  /** What the person sees when no callback came within the deadline, else null. */
  failureText: string | null
  callback: CallbackRecord | null
  /** Callbacks refused: late ones (10062) and second ones (40060). */
  rejectedCallbacks: { type: number; at: number; code: number }[]
  /** `@original`: the reply (4/5) or the component's message (6/7), as it looks now. */
  original: MessageView | null
  followUps: MessageView[]
  /** Ephemeral messages of this interaction that only the person who interacted sees. */
  seenOnlyByUser: MessageView[]
  choices: Json[] | null
  modal: Json | null
  createdAt: number
}

export function interactionView(state: FakeState, rec: InteractionRecord): InteractionView {
  const view = (id: string) => {
    const m = state.messages.get(id)
    return m ? messageView(state, m) : undefined
  }
  const original = rec.originalId ? (view(rec.originalId) ?? null) : null
  const followUps = rec.followUpIds.map(view).filter((m): m is MessageView => m !== undefined)
  const mine = [original, ...followUps].filter((m): m is MessageView => m !== null && m.ephemeralTo === rec.userId)
  return {
    id: rec.id,
    token: rec.token,
    kind: rec.kind,
    userId: rec.userId,
    guildId: rec.guildId,
    channelId: rec.channelId,
    messageId: rec.messageId,
    customId: rec.customId,
    values: rec.values ? [...rec.values] : null,
    commandName: rec.commandName,
    options: rec.options ? structuredClone(rec.options) : null,
    status: rec.status,
    failureText: rec.status === "failed" ? "This interaction failed" : null,
    callback: rec.callback ? structuredClone(rec.callback) : null,
    rejectedCallbacks: structuredClone(rec.rejectedCallbacks),
    original,
    followUps,
    seenOnlyByUser: mine,
    choices: rec.choices ? structuredClone(rec.choices) : null,
    modal: rec.modal ? structuredClone(rec.modal) : null,
    createdAt: rec.createdAt,
  }
}
