// Test hooks that act as people: post (with attachments and replies), post through an incoming
// webhook, edit, delete, react, type, and start threads or forum posts. Each checks what a real person could do (membership,
// permissions, DM recipient) and throws a plain Error when the test asks for the impossible;
// the effects and dispatches are exactly those of the REST paths (messages.ts, threads.ts…).
import { storeAttachment, type Upload } from "./attachments.ts"
import { intentFor } from "./intents.ts"
import { createMessage, deleteMessage, editMessage } from "./messages.ts"
import { memberWire } from "./payloads.ts"
import { PERMISSIONS as P } from "./permissions.ts"
import { addReaction, removeReaction } from "./reactions.ts"
import type { FakeState } from "./state.ts"
import { forumPost, threadFromMessage, threadWithoutMessage, unarchiveOnSend } from "./threads.ts"
import { CHANNEL_TYPES, type ChannelRecord, type Json, type MessageRecord } from "./types.ts"
import { validateMessageBody } from "./validate.ts"
import { makeUser } from "./world.ts"

export interface HumanPost {
  channelId: string
  content?: string
  attachments?: Upload[]
  embeds?: Json[]
  /** Reply to this message (same channel). */
  reference?: string
}

/** Throws unless the user can see (and, with `needed`, act in) the channel. */
export function requireHumanAccess(state: FakeState, userId: string, channelId: string, needed = 0n): ChannelRecord {
  const user = state.requireUser(userId)
  const channel = state.requireChannel(channelId)
  if (!channel.guild_id) {
    if (state.dmRecipient(channel)?.id !== user.id) throw new Error(`fake-discord: ${user.username} is not the recipient of DM ${channelId}`)
    return channel
  }
  if (!state.member(channel.guild_id, user.id)) throw new Error(`fake-discord: ${user.username} is not a member of guild ${channel.guild_id}`)
  const perms = state.permissions(user.id, channel)
  if (!(perms & P.viewChannel) || (perms & needed) !== needed) throw new Error(`fake-discord: ${user.username} lacks permissions in #${channel.name ?? channelId}`)
  return channel
}

function humanMessage(state: FakeState, userId: string, channelId: string, messageId: string): MessageRecord {
  requireHumanAccess(state, userId, channelId)
  return state.requireMessage(channelId, messageId)
}

export function postAs(state: FakeState, userId: string, post: HumanPost): MessageRecord {
  const channel = state.requireChannel(post.channelId)
  const send = state.isThread(channel) ? P.sendMessagesInThreads : P.sendMessages
  requireHumanAccess(state, userId, channel.id, send | (post.attachments?.length ? P.attachFiles : 0n))
  if (channel.type === CHANNEL_TYPES.forum) throw new Error("fake-discord: post in a forum with createThreadAs (a forum post is a thread)")
  const body: Json = { content: post.content ?? "", embeds: post.embeds ?? [] }
  validateMessageBody(body, { hasFiles: (post.attachments?.length ?? 0) > 0, partial: false })
  if (state.isThread(channel)) unarchiveOnSend(state, channel)
  return createMessage(state, channel, state.requireUser(userId), {
    content: post.content ?? "",
    embeds: post.embeds ?? [],
    attachments: (post.attachments ?? []).map((u) => storeAttachment(state, channel.id, u)),
    message_reference: post.reference ? { message_id: post.reference, channel_id: channel.id } : undefined,
  })
}

/**
 * A message from an incoming webhook (a CI job, an integration): Discord sets `webhook_id`, and the
 * author is the webhook itself (its id, its name, `bot: true`), never a member.
 */
export function postAsWebhook(state: FakeState, input: { channelId: string; content: string; username: string }): MessageRecord {
  const channel = state.requireChannel(input.channelId)
  if (!channel.guild_id || state.isThread(channel) || channel.type === CHANNEL_TYPES.forum) throw new Error("fake-discord: webhooks post in text channels")
  validateMessageBody({ content: input.content }, { hasFiles: false, partial: false })
  const author = makeUser({ username: input.username, bot: true })
  return createMessage(state, channel, author, { content: input.content, webhook_id: author.id })
}

export function editAs(state: FakeState, userId: string, channelId: string, messageId: string, content: string): MessageRecord {
  const rec = humanMessage(state, userId, channelId, messageId)
  if (rec.wire.author.id !== userId) throw new Error("fake-discord: a person can only edit their own messages")
  validateMessageBody({ content }, { hasFiles: rec.wire.attachments.length > 0, partial: false })
  return editMessage(state, rec, { content })
}

export function deleteAs(state: FakeState, userId: string, channelId: string, messageId: string): void {
  const rec = humanMessage(state, userId, channelId, messageId)
  if (rec.wire.author.id !== userId) requireHumanAccess(state, userId, channelId, P.manageMessages)
  deleteMessage(state, rec)
}

export function reactAs(state: FakeState, userId: string, channelId: string, messageId: string, emoji: string, add = true): void {
  const rec = humanMessage(state, userId, channelId, messageId)
  if (add) {
    requireHumanAccess(state, userId, channelId, P.addReactions | P.readMessageHistory)
    addReaction(state, rec, userId, emoji)
  } else removeReaction(state, rec, userId, emoji)
}

/** A person starts typing: TYPING_START (guild or DM typing intent), recorded in `typing()`. */
export function typeAs(state: FakeState, userId: string, channelId: string): void {
  const channel = requireHumanAccess(state, userId, channelId)
  const d: Json = { channel_id: channel.id, user_id: userId, timestamp: Math.floor(Date.now() / 1000) }
  if (channel.guild_id) {
    d.guild_id = channel.guild_id
    const member = state.member(channel.guild_id, userId)
    if (member) d.member = memberWire(state, member)
  }
  state.typing.push({ userId, channelId: channel.id, at: Date.now(), via: "human" })
  state.dispatch({ t: "TYPING_START", d, intent: intentFor("TYPING_START", !channel.guild_id), contentGated: false })
  state.changed()
}

export interface HumanThread {
  channelId: string
  name: string
  /** Start the thread from this message (text channels). */
  messageId?: string
  /** Forum posts: the starter message's content (required in forums). */
  content?: string
  attachments?: Upload[]
}

/** A person starts a thread (from a message or not) or, in a forum, a post with its starter message. */
export function createThreadAs(state: FakeState, userId: string, input: HumanThread): { thread: ChannelRecord; starter: MessageRecord | null } {
  const user = state.requireUser(userId)
  const parent = state.requireChannel(input.channelId)
  if (parent.type === CHANNEL_TYPES.forum) {
    requireHumanAccess(state, userId, parent.id, P.sendMessages)
    const body: Json = { content: input.content ?? "" }
    validateMessageBody(body, { hasFiles: (input.attachments?.length ?? 0) > 0, partial: false })
    const attachments = (input.attachments ?? []).map((u) => storeAttachment(state, parent.id, u))
    const { thread, starter } = forumPost(state, parent, user, { name: input.name }, { content: input.content ?? "", attachments })
    return { thread, starter }
  }
  requireHumanAccess(state, userId, parent.id, P.createPublicThreads)
  if (input.messageId) {
    const rec = state.requireMessage(parent.id, input.messageId)
    return { thread: threadFromMessage(state, parent, rec, user, { name: input.name }), starter: null }
  }
  return { thread: threadWithoutMessage(state, parent, user, { name: input.name, type: CHANNEL_TYPES.publicThread }), starter: null }
}
