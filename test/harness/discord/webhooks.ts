// Interaction webhooks, valid for 15 min after the interaction was created: `@original` (GET,
// PATCH, DELETE), follow-ups (`POST /webhooks/{app}/{token}`, ephemeral with flags 64) and edits
// or deletes of follow-ups by id. No bot Authorization; not bound to the global limit.
import { resolveAttachments, type ParsedBody } from "./attachments.ts"
import { errors } from "./errors.ts"
import type { InteractionHub } from "./interactions.ts"
import { TIME_LIMITS } from "./limits.ts"
import { checkAllowedMentions } from "./mentions.ts"
import { createMessage, deleteMessage, editMessage } from "./messages.ts"
import { messageWire } from "./payloads.ts"
import type { FakeState } from "./state.ts"
import { MESSAGE_FLAGS, type InteractionRecord, type Json, type MessageRecord } from "./types.ts"
import { validateMessageBody } from "./validate.ts"

/** The acknowledged interaction behind an application id and token. */
export function interactionForToken(state: FakeState, appId: string, token: string): InteractionRecord {
  const rec = [...state.interactions.values()].find((i) => i.token === token)
  if (!rec || appId !== state.applicationId || rec.status !== "answered") throw errors.unknownWebhook()
  if (Date.now() - rec.createdAt > TIME_LIMITS.interactionTokenMs) throw errors.invalidWebhookToken()
  return rec
}

/** `@original`, or a follow-up of this interaction by id. */
function target(state: FakeState, rec: InteractionRecord, messageId: string): MessageRecord {
  const id = messageId === "@original" ? rec.originalId : rec.followUpIds.includes(messageId) || rec.originalId === messageId ? messageId : null
  const msg = id ? state.messages.get(id) : undefined
  if (!msg || msg.deleted) throw errors.unknownMessage()
  return msg
}

export function getWebhookMessage(state: FakeState, appId: string, token: string, messageId: string): Json {
  return messageWire(state, target(state, interactionForToken(state, appId, token), messageId))
}

export function editWebhookMessage(state: FakeState, appId: string, token: string, messageId: string, body: ParsedBody): Json {
  const msg = target(state, interactionForToken(state, appId, token), messageId)
  const data = body.json
  validateMessageBody(data, { hasFiles: body.files.size > 0, partial: true })
  const attachments = data.attachments || body.files.size ? resolveAttachments(state, msg.wire.channel_id, data, body.files, msg.wire.attachments) : undefined
  editMessage(state, msg, {
    content: data.content as string | null | undefined,
    embeds: data.embeds as Json[] | null | undefined,
    components: data.components as Json[] | null | undefined,
    attachments,
    allowed_mentions: checkAllowedMentions(data.allowed_mentions),
  })
  return messageWire(state, msg)
}

export function deleteWebhookMessage(state: FakeState, appId: string, token: string, messageId: string): void {
  deleteMessage(state, target(state, interactionForToken(state, appId, token), messageId))
}

/** A follow-up message; `wait=true` answers the message, else 204. */
export function followUp(state: FakeState, hub: InteractionHub, appId: string, token: string, body: ParsedBody): MessageRecord {
  const rec = interactionForToken(state, appId, token)
  const data = body.json
  validateMessageBody(data, { hasFiles: body.files.size > 0, partial: false })
  const channel = state.requireChannel(rec.channelId)
  const ephemeral = typeof data.flags === "number" && (data.flags & MESSAGE_FLAGS.ephemeral) !== 0
  const msg = createMessage(state, channel, state.bot, {
    content: typeof data.content === "string" ? data.content : "",
    embeds: Array.isArray(data.embeds) ? (data.embeds as Json[]) : [],
    components: Array.isArray(data.components) ? (data.components as Json[]) : [],
    attachments: resolveAttachments(state, channel.id, data, body.files),
    flags: typeof data.flags === "number" ? data.flags : 0,
    webhook_id: state.applicationId,
    application_id: state.applicationId,
    interaction_metadata: hub.metadata(rec),
    allowed_mentions: checkAllowedMentions(data.allowed_mentions),
    ephemeralTo: ephemeral ? rec.userId : undefined,
  })
  rec.followUpIds.push(msg.wire.id)
  state.changed()
  return msg
}
