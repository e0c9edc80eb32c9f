// REST routes for messages and what hangs off them: list/get/send/edit/delete (with the content
// rules, attachments, references, allowed_mentions and the old-message edit limit), reactions,
// typing, and threads (from a message, without one, forum posts). Rate limiting happened in
// server.ts before these run.
import { resolveAttachments } from "./attachments.ts"
import { errors } from "./errors.ts"
import { noContent, ok, route, type Ctx, type Route } from "./http.ts"
import { MESSAGE_LIMITS, TIME_LIMITS } from "./limits.ts"
import { checkAllowedMentions } from "./mentions.ts"
import { createMessage, deleteMessage, editMessage, listMessages, type MessageInput } from "./messages.ts"
import { messageWire, restMessage, userWire } from "./payloads.ts"
import { PERMISSIONS as P } from "./permissions.ts"
import { addReaction, normaliseEmoji, removeReaction } from "./reactions.ts"
import type { FakeState } from "./state.ts"
import { forumPost, threadFromMessage, threadWithoutMessage, unarchiveOnSend } from "./threads.ts"
import { CHANNEL_TYPES, type ChannelRecord, type Json, type MessageReference } from "./types.ts"
import { validateMessageBody } from "./validate.ts"

const channelOf = (ctx: Ctx) => ctx.state.requireChannel(ctx.params.channelId!)

/** The bot's send permission in a channel: Send Messages, or Send Messages in Threads inside a thread. */
function sendPermission(state: FakeState, channel: ChannelRecord): bigint {
  return state.isThread(channel) ? P.sendMessagesInThreads : P.sendMessages
}

/** Turns a validated JSON body (plus uploads) into a new message's input. */
export function messageInput(ctx: Ctx, channel: ChannelRecord, json: Json): MessageInput {
  validateMessageBody(json, { hasFiles: ctx.body.files.size > 0, partial: false })
  if (ctx.body.files.size) ctx.state.requireBotPermission(channel, P.attachFiles)
  return {
    content: typeof json.content === "string" ? json.content : "",
    embeds: Array.isArray(json.embeds) ? (json.embeds as Json[]) : [],
    components: Array.isArray(json.components) ? (json.components as Json[]) : [],
    attachments: resolveAttachments(ctx.state, channel.id, json, ctx.body.files),
    flags: typeof json.flags === "number" ? json.flags & ~(1 << 6) : 0,
    tts: json.tts === true,
    nonce: typeof json.nonce === "string" || typeof json.nonce === "number" ? json.nonce : undefined,
    message_reference: (json.message_reference ?? undefined) as MessageReference | undefined,
    allowed_mentions: checkAllowedMentions(json.allowed_mentions),
  }
}

function editBot(ctx: Ctx) {
  const { state } = ctx
  const channel = channelOf(ctx)
  state.requireBotPermission(channel)
  const rec = state.requireMessage(channel.id, ctx.params.messageId!)
  if (rec.wire.author.id !== state.bot.id) throw errors.cannotEditOthers()
  if (Date.now() - rec.createdAt > TIME_LIMITS.oldMessageMs && !ctx.limiter.allowOldEdit(channel.id)) throw errors.oldEdits()
  const json = ctx.body.json
  validateMessageBody(json, { hasFiles: ctx.body.files.size > 0, partial: true })
  const attachments = json.attachments !== undefined || ctx.body.files.size
    ? resolveAttachments(state, channel.id, json, ctx.body.files, rec.wire.attachments)
    : undefined
  editMessage(state, rec, {
    content: json.content as string | null | undefined,
    embeds: json.embeds as Json[] | null | undefined,
    components: json.components as Json[] | null | undefined,
    flags: json.flags as number | null | undefined,
    attachments,
    allowed_mentions: checkAllowedMentions(json.allowed_mentions),
  })
  return ok(messageWire(state, rec))
}

function reaction(ctx: Ctx, add: boolean) {
  const { state } = ctx
  const channel = channelOf(ctx)
  state.requireBotPermission(channel, P.readMessageHistory | (add ? P.addReactions : 0n))
  const rec = state.requireMessage(channel.id, ctx.params.messageId!)
  const userId = ctx.params.userId === "@me" || ctx.params.userId === undefined ? state.bot.id : ctx.params.userId
  if (userId !== state.bot.id) state.requireBotPermission(channel, P.manageMessages)
  if (add) addReaction(state, rec, state.bot.id, ctx.params.emoji!)
  else removeReaction(state, rec, userId, ctx.params.emoji!)
  return noContent()
}

export const messageRoutes: Route[] = [
  route("GET", "/channels/:channelId/messages", (ctx) => {
    const channel = channelOf(ctx)
    ctx.state.requireBotPermission(channel, P.readMessageHistory)
    const list = listMessages(ctx.state, channel.id, ctx.query, MESSAGE_LIMITS.fetchMax, MESSAGE_LIMITS.fetchDefault)
    return ok(list.map((m) => restMessage(ctx.state, m)))
  }),
  route("GET", "/channels/:channelId/messages/:messageId", (ctx) => {
    const channel = channelOf(ctx)
    ctx.state.requireBotPermission(channel, P.readMessageHistory)
    return ok(restMessage(ctx.state, ctx.state.requireMessage(channel.id, ctx.params.messageId!)))
  }),
  route("POST", "/channels/:channelId/messages", (ctx) => {
    const { state } = ctx
    const channel = channelOf(ctx)
    if (channel.type === CHANNEL_TYPES.forum || channel.type === CHANNEL_TYPES.category) throw errors.wrongChannelType()
    state.requireBotPermission(channel, sendPermission(state, channel))
    const input = messageInput(ctx, channel, ctx.body.json)
    if (state.isThread(channel)) unarchiveOnSend(state, channel)
    return ok(messageWire(state, createMessage(state, channel, state.bot, input)))
  }),
  route("PATCH", "/channels/:channelId/messages/:messageId", editBot),
  route("DELETE", "/channels/:channelId/messages/:messageId", (ctx) => {
    const { state } = ctx
    const channel = channelOf(ctx)
    state.requireBotPermission(channel)
    const rec = state.requireMessage(channel.id, ctx.params.messageId!)
    if (rec.wire.author.id !== state.bot.id) state.requireBotPermission(channel, P.manageMessages)
    deleteMessage(state, rec)
    return noContent()
  }),
  route("PUT", "/channels/:channelId/messages/:messageId/reactions/:emoji/@me", (ctx) => reaction(ctx, true)),
  route("DELETE", "/channels/:channelId/messages/:messageId/reactions/:emoji/:userId", (ctx) => reaction(ctx, false)),
  route("GET", "/channels/:channelId/messages/:messageId/reactions/:emoji", (ctx) => {
    const channel = channelOf(ctx)
    ctx.state.requireBotPermission(channel, P.readMessageHistory)
    const rec = ctx.state.requireMessage(channel.id, ctx.params.messageId!)
    const ids = ctx.state.reactions.get(rec.wire.id)?.get(normaliseEmoji(ctx.params.emoji!)) ?? []
    return ok(ids.map((id) => userWire(ctx.state.requireUser(id))))
  }),
  route("POST", "/channels/:channelId/typing", (ctx) => {
    const channel = channelOf(ctx)
    ctx.state.requireBotPermission(channel, sendPermission(ctx.state, channel))
    ctx.state.typing.push({ userId: ctx.state.bot.id, channelId: channel.id, at: Date.now(), via: "rest" })
    ctx.state.changed()
    return noContent()
  }),
  route("POST", "/channels/:channelId/messages/:messageId/threads", (ctx) => {
    const { state } = ctx
    const channel = channelOf(ctx)
    state.requireBotPermission(channel, P.createPublicThreads)
    const rec = state.requireMessage(channel.id, ctx.params.messageId!)
    return ok(threadFromMessage(state, channel, rec, state.bot, ctx.body.json), 201)
  }),
  route("POST", "/channels/:channelId/threads", (ctx) => {
    const { state } = ctx
    const channel = channelOf(ctx)
    const json = ctx.body.json
    if (channel.type === CHANNEL_TYPES.forum) {
      state.requireBotPermission(channel, P.sendMessages)
      const message = (json.message && typeof json.message === "object" ? json.message : {}) as Json
      const { thread, starter } = forumPost(state, channel, state.bot, json, messageInput(ctx, channel, message))
      return ok({ ...structuredClone(thread), message: messageWire(state, starter) }, 201)
    }
    // Without a `type`, Discord creates a private thread (discord.js always sends one).
    const type = json.type ?? CHANNEL_TYPES.privateThread
    state.requireBotPermission(channel, type === CHANNEL_TYPES.privateThread ? P.createPrivateThreads : P.createPublicThreads)
    return ok(threadWithoutMessage(state, channel, state.bot, { ...json, type }), 201)
  }),
]
