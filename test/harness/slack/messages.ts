// Messages as the workspace holds them: create (human or bot, top level or thread, files),
// edit, delete and ephemerals, each emitting the event Slack would; the bot posting in a thread
// clears that thread's assistant status. Also the view a person sees (`MessageView`). Block ids
// and action ids missing from blocks are filled in, as Slack does.
import { emitChanged, emitDeleted, emitPosted, wireMessage } from "./events.ts"
import { fileObject } from "./files.ts"
import { renderMessage } from "./render.ts"
import type { FakeState } from "./state.ts"
import { newId, nextTs, type Ephemeral, type Json, type Message } from "./types.ts"

export interface NewMessage {
  text?: string
  blocks?: Json[]
  attachments?: Json[]
  threadTs?: string
  replyBroadcast?: boolean
  metadata?: Json
  fileIds?: string[]
  subtype?: string
  clientMsgId?: string
  stream?: Message["stream"]
}

const randomId = () => newId("", 6).toLowerCase()

/** Slack stores blocks with a `block_id` on each block and an `action_id` on each interactive element. */
export function normalizeBlocks(blocks: Json[] | undefined): Json[] {
  return structuredClone(blocks ?? []).map((b) => {
    if (typeof b.block_id !== "string") b.block_id = randomId()
    const elements = b.type === "actions" && Array.isArray(b.elements) ? (b.elements as Json[]) : []
    for (const e of b.type === "section" && b.accessory ? [b.accessory as Json] : elements) {
      if (typeof e.action_id !== "string" && e.type !== "image") e.action_id = randomId()
    }
    return b
  })
}

/** Replies to a reply join the parent's thread. */
function rootOf(state: FakeState, channel: string, threadTs: string | undefined): string | undefined {
  if (!threadTs) return undefined
  return state.message(channel, threadTs)?.threadTs ?? threadTs
}

export function clearStatus(state: FakeState, channelId: string, threadTs: string, by: "empty_status" | "app_posted" | "replaced") {
  for (const s of state.statuses) {
    if (s.channelId === channelId && s.threadTs === threadTs && s.clearedAt === undefined) {
      s.clearedAt = Date.now()
      s.clearedBy = by
    }
  }
}

export function createMessage(state: FakeState, userId: string, channel: string, input: NewMessage): Message {
  const threadTs = rootOf(state, channel, input.threadTs)
  const m: Message = {
    channel,
    ts: nextTs(),
    user: userId,
    botId: state.botIdOf(userId),
    text: input.text ?? "",
    blocks: normalizeBlocks(input.blocks),
    attachments: structuredClone(input.attachments ?? []),
    threadTs,
    replyBroadcast: Boolean(threadTs && input.replyBroadcast),
    metadata: input.metadata ? structuredClone(input.metadata) : undefined,
    fileIds: [...(input.fileIds ?? [])],
    subtype: input.subtype ?? (input.fileIds?.length ? "file_share" : undefined),
    edited: undefined,
    deleted: false,
    stream: input.stream,
    clientMsgId: input.clientMsgId,
  }
  for (const id of m.fileIds) {
    const f = state.files.get(id)
    if (f && !f.channels.includes(channel)) f.channels.push(channel)
  }
  state.messages.get(channel)?.push(m)
  if (userId === state.bot.userId && threadTs) clearStatus(state, channel, threadTs, "app_posted")
  emitPosted(state, m)
  state.changed()
  return m
}

export interface MessagePatch {
  text?: string
  blocks?: Json[]
  attachments?: Json[]
  metadata?: Json
}

/**
 * Applies an edit with chat.update's documented semantics (README "chat.update semantics"): a field
 * that is absent keeps its old value, so `text` without `blocks` KEEPS the blocks; `blocks: []` removes them.
 */
export function updateMessage(state: FakeState, m: Message, patch: MessagePatch, editor: string): void {
  const previous = wireMessage(state, m)
  if (patch.text !== undefined) m.text = patch.text
  if (patch.blocks !== undefined) m.blocks = normalizeBlocks(patch.blocks)
  if (patch.attachments !== undefined) m.attachments = structuredClone(patch.attachments)
  if (patch.metadata !== undefined) m.metadata = structuredClone(patch.metadata)
  // A stopped stream is an ordinary message: an update replaces what it shows.
  if (m.stream?.state === "stopped" && (patch.text !== undefined || patch.blocks !== undefined)) m.stream.replaced = true
  m.edited = { user: editor, ts: nextTs() }
  emitChanged(state, m, previous)
  state.changed()
}

/** Replaces the whole message (response_url `replace_original`): what is not given is gone. */
export function replaceMessage(state: FakeState, m: Message, next: { text: string; blocks: Json[]; attachments: Json[] }): void {
  const previous = wireMessage(state, m)
  m.text = next.text
  m.blocks = normalizeBlocks(next.blocks)
  m.attachments = structuredClone(next.attachments)
  if (m.stream?.state === "stopped") m.stream.replaced = true
  m.edited = { user: m.user, ts: nextTs() }
  emitChanged(state, m, previous)
  state.changed()
}

export function deleteMessage(state: FakeState, m: Message): void {
  const previous = wireMessage(state, m)
  m.deleted = true
  emitDeleted(state, m, previous)
  state.changed()
}

export function addEphemeral(state: FakeState, e: Omit<Ephemeral, "ts">): Ephemeral {
  const stored: Ephemeral = { ...e, ts: nextTs(), blocks: normalizeBlocks(e.blocks) }
  state.ephemerals.push(stored)
  state.changed()
  return stored
}

export interface ReactionView {
  name: string
  users: string[]
  count: number
}

/** A message the way a person (and the test) sees it. */
export interface MessageView {
  channel: string
  ts: string
  /** Set on thread replies (the parent's ts). */
  threadTs: string | undefined
  user: string
  botId: string | undefined
  /** The message's `text` field as stored (for block messages only the notification fallback). */
  text: string
  /** What a reader sees: blocks rendered to plain text, else `text`; for streams the accumulated markdown; then attachments and `[file: name]`. */
  rendered: string
  blocks: Json[]
  attachments: Json[]
  files: Json[]
  metadata: Json | undefined
  subtype: string | undefined
  /** Created through chat.startStream. */
  streamed: boolean
  /** Still accepting chat.appendStream. */
  streaming: boolean
  /** Every stream chunk in order (task_update / plan_update included). */
  chunks: Json[]
  edited: { user: string; ts: string } | undefined
  replyBroadcast: boolean
  replyCount: number
  reactions: ReactionView[]
  deleted: boolean
}

export function viewOf(state: FakeState, m: Message): MessageView {
  const reactions = state.reactions.get(`${m.channel}/${m.ts}`) ?? new Map<string, string[]>()
  return {
    channel: m.channel,
    ts: m.ts,
    threadTs: m.threadTs,
    user: m.user,
    botId: m.botId,
    text: m.text,
    rendered: renderMessage(m, m.fileIds.map((id) => state.files.get(id)?.name ?? id)),
    blocks: structuredClone(m.blocks),
    attachments: structuredClone(m.attachments),
    files: m.fileIds.flatMap((id) => {
      const f = state.files.get(id)
      return f ? [fileObject(state, f)] : []
    }),
    metadata: m.metadata && structuredClone(m.metadata),
    subtype: m.subtype,
    streamed: m.stream !== undefined,
    streaming: m.stream?.state === "streaming",
    chunks: structuredClone(m.stream?.chunks ?? []),
    edited: m.edited && { ...m.edited },
    replyBroadcast: m.replyBroadcast,
    replyCount: state.repliesTo(m).length,
    reactions: [...reactions].map(([name, users]) => ({ name, users: [...users], count: users.length })),
    deleted: m.deleted,
  }
}
