// Threads and forum posts for every creator (bot REST and humans): a thread from a message (its
// id is the message's id), a thread without a message (plus the "started a thread" system
// message in the parent), a forum post (thread + starter message sharing one id), updates such
// as archiving, and deletion; each announced with THREAD_CREATE (`newly_created`), THREAD_UPDATE
// or THREAD_DELETE. Bodies are validated here (names) and in validate.ts (the starter message).
import { errors } from "./errors.ts"
import { intentFor } from "./intents.ts"
import { createMessage, type MessageInput } from "./messages.ts"
import { channelWire } from "./payloads.ts"
import type { FakeState } from "./state.ts"
import { CHANNEL_TYPES, iso, MESSAGE_FLAGS, MESSAGE_TYPES, snowflake, type ChannelRecord, type Json, type MessageRecord, type UserRecord } from "./types.ts"
import { validateThreadName } from "./validate.ts"

const ARCHIVE_DURATIONS = [60, 1440, 4320, 10080]

export interface ThreadOptions {
  name?: unknown
  auto_archive_duration?: unknown
  rate_limit_per_user?: unknown
  /** Threads without a message: 11 public (default for humans), 12 private. */
  type?: unknown
  invitable?: unknown
  applied_tags?: unknown
}

function makeThread(state: FakeState, parent: ChannelRecord, id: string, owner: UserRecord, opts: ThreadOptions, type: number): ChannelRecord {
  const name = validateThreadName(opts.name)
  const duration = typeof opts.auto_archive_duration === "number" && ARCHIVE_DURATIONS.includes(opts.auto_archive_duration) ? opts.auto_archive_duration : 4320
  const now = iso()
  const thread: ChannelRecord = {
    id,
    type,
    guild_id: parent.guild_id,
    name,
    parent_id: parent.id,
    owner_id: owner.id,
    last_message_id: null,
    rate_limit_per_user: typeof opts.rate_limit_per_user === "number" ? opts.rate_limit_per_user : 0,
    flags: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    thread_metadata: { archived: false, auto_archive_duration: duration, archive_timestamp: now, locked: false, create_timestamp: now },
  }
  if (type === CHANNEL_TYPES.privateThread) thread.thread_metadata!.invitable = opts.invitable !== false
  if (parent.type === CHANNEL_TYPES.forum) thread.applied_tags = Array.isArray(opts.applied_tags) ? opts.applied_tags.map(String) : []
  state.channels.set(thread.id, thread)
  return thread
}

function announceThread(state: FakeState, thread: ChannelRecord, owner: UserRecord): void {
  const member = { id: thread.id, user_id: owner.id, join_timestamp: iso(), flags: 0 }
  const d: Json = { ...channelWire(thread), newly_created: true }
  if (owner.id === state.bot.id) d.member = member
  state.dispatch({ t: "THREAD_CREATE", d, intent: intentFor("THREAD_CREATE", false), contentGated: false })
}

const isTextParent = (c: ChannelRecord) => c.type === CHANNEL_TYPES.text || c.type === CHANNEL_TYPES.announcement

/** `POST /channels/{cid}/messages/{mid}/threads`: a public thread whose id is the message id. */
export function threadFromMessage(state: FakeState, parent: ChannelRecord, rec: MessageRecord, owner: UserRecord, opts: ThreadOptions): ChannelRecord {
  if (!isTextParent(parent)) throw errors.wrongChannelType()
  if (rec.threadId) throw errors.threadExists()
  const type = parent.type === CHANNEL_TYPES.announcement ? 10 : CHANNEL_TYPES.publicThread
  const thread = makeThread(state, parent, rec.wire.id, owner, opts, type)
  rec.threadId = thread.id
  rec.wire.flags |= MESSAGE_FLAGS.hasThread
  announceThread(state, thread, owner)
  state.changed()
  return thread
}

/** `POST /channels/{cid}/threads` in a text channel: a thread without a starter message. */
export function threadWithoutMessage(state: FakeState, parent: ChannelRecord, owner: UserRecord, opts: ThreadOptions): ChannelRecord {
  if (!isTextParent(parent)) throw errors.wrongChannelType()
  const type = opts.type === CHANNEL_TYPES.privateThread ? CHANNEL_TYPES.privateThread : CHANNEL_TYPES.publicThread
  const thread = makeThread(state, parent, snowflake(), owner, opts, type)
  announceThread(state, thread, owner)
  if (type === CHANNEL_TYPES.publicThread) {
    // Discord posts "<owner> started a thread: <name>" (type 18) in the parent, referencing the thread.
    createMessage(state, parent, owner, {
      content: thread.name ?? "",
      type: MESSAGE_TYPES.threadCreated,
      allowed_mentions: { parse: [] },
    })
  }
  state.changed()
  return thread
}

/** `POST /channels/{forum}/threads`: a forum post; the starter message shares the thread's id. */
export function forumPost(
  state: FakeState,
  forum: ChannelRecord,
  owner: UserRecord,
  opts: ThreadOptions,
  message: MessageInput,
): { thread: ChannelRecord; starter: MessageRecord } {
  if (forum.type !== CHANNEL_TYPES.forum) throw errors.wrongChannelType()
  const thread = makeThread(state, forum, snowflake(), owner, opts, CHANNEL_TYPES.publicThread)
  forum.last_message_id = thread.id
  announceThread(state, thread, owner)
  const starter = createMessage(state, thread, owner, { ...message, id: thread.id })
  return { thread, starter }
}

/** `PATCH /channels/{id}` on a thread: name, archived, locked, auto_archive_duration. */
export function updateThread(state: FakeState, thread: ChannelRecord, body: Json): ChannelRecord {
  const meta = thread.thread_metadata!
  if (body.name !== undefined) thread.name = validateThreadName(body.name)
  if (typeof body.archived === "boolean" && body.archived !== meta.archived) {
    meta.archived = body.archived
    meta.archive_timestamp = iso()
  }
  if (typeof body.locked === "boolean") meta.locked = body.locked
  if (typeof body.auto_archive_duration === "number" && ARCHIVE_DURATIONS.includes(body.auto_archive_duration)) {
    meta.auto_archive_duration = body.auto_archive_duration
  }
  state.dispatch({ t: "THREAD_UPDATE", d: channelWire(thread), intent: intentFor("THREAD_UPDATE", false), contentGated: false })
  state.changed()
  return thread
}

/** A message sent into an archived, unlocked thread unarchives it, as on Discord. */
export function unarchiveOnSend(state: FakeState, thread: ChannelRecord): void {
  if (!thread.thread_metadata?.archived) return
  if (thread.thread_metadata.locked) throw errors.threadArchived()
  updateThread(state, thread, { archived: false })
}

export function deleteThread(state: FakeState, thread: ChannelRecord): void {
  state.channels.delete(thread.id)
  const d = { id: thread.id, guild_id: thread.guild_id, parent_id: thread.parent_id, type: thread.type }
  state.dispatch({ t: "THREAD_DELETE", d, intent: intentFor("THREAD_DELETE", false), contentGated: false })
  state.changed()
}
