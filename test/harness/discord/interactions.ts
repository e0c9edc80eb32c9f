// Interactions from dispatch to callback: builds INTERACTION_CREATE (member or user, channel,
// message, permissions, context…), waits for the callback until the 3 s deadline (then the person
// sees "This interaction failed" and a late callback gets 404 / 10062), and applies callback types
// 4 reply, 5 deferred reply, 6 deferUpdate, 7 update, 8 autocomplete, 9 modal (README
// "Interactions"). Follow-ups and `@original` live in webhooks.ts.
import type { ParsedBody } from "./attachments.ts"
import { resolveAttachments } from "./attachments.ts"
import { errors, fieldError, invalidForm } from "./errors.ts"
import { MESSAGE_LIMITS, TIME_LIMITS } from "./limits.ts"
import { checkAllowedMentions } from "./mentions.ts"
import { createMessage, editMessage } from "./messages.ts"
import { channelWire, memberWire, messageWire, userWire } from "./payloads.ts"
import type { FakeState } from "./state.ts"
import {
  MESSAGE_FLAGS,
  MESSAGE_TYPES,
  randomToken,
  snowflake,
  type ChannelRecord,
  type InteractionKind,
  type InteractionRecord,
  type Json,
  type MessageRecord,
} from "./types.ts"
import { validateMessageBody } from "./validate.ts"

const WIRE_TYPE: Record<InteractionKind, number> = { command: 2, button: 3, select: 3, autocomplete: 4 }
/** Callback types each interaction kind accepts. */
const ALLOWED_CALLBACKS: Record<InteractionKind, number[]> = {
  command: [4, 5, 9],
  button: [4, 5, 6, 7, 9],
  select: [4, 5, 6, 7, 9],
  autocomplete: [8],
}

export interface StartInput {
  kind: InteractionKind
  userId: string
  channel: ChannelRecord
  /** The component's message (buttons, selects). */
  message?: MessageRecord
  data: Json
  customId?: string
  values?: string[]
  commandName?: string
  options?: Json[]
}

export class InteractionHub {
  deadlineMs: number
  private readonly state: FakeState
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(state: FakeState, deadlineMs: number = TIME_LIMITS.interactionDeadlineMs) {
    this.state = state
    this.deadlineMs = deadlineMs
  }

  /** Dispatches the interaction; resolves once it is answered or has failed at the deadline. */
  start(input: StartInput): Promise<InteractionRecord> {
    const { state } = this
    const channel = input.channel
    const rec: InteractionRecord = {
      id: snowflake(),
      token: `aW50ZXJhY3Rpb246${randomToken(48)}`,
      kind: input.kind,
      type: WIRE_TYPE[input.kind],
      userId: input.userId,
      guildId: channel.guild_id ?? null,
      channelId: channel.id,
      messageId: input.message?.wire.id ?? null,
      customId: input.customId ?? null,
      values: input.values ?? null,
      commandName: input.commandName ?? null,
      options: input.options ?? null,
      createdAt: Date.now(),
      deadlineMs: this.deadlineMs,
      status: "pending",
      callback: null,
      rejectedCallbacks: [],
      originalId: null,
      followUpIds: [],
      choices: null,
      modal: null,
    }
    state.interactions.set(rec.id, rec)
    state.dispatch({ t: "INTERACTION_CREATE", d: this.payload(rec, input), intent: 0, contentGated: false })
    state.changed()
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        off()
        if (rec.status === "pending") {
          rec.status = "failed"
          state.changed()
        }
        resolve(rec)
      }, rec.deadlineMs)
      this.timers.add(timer)
      const off = state.onChange(() => {
        if (rec.status === "pending") return
        off()
        clearTimeout(timer)
        this.timers.delete(timer)
        resolve(rec)
      })
    })
  }

  private payload(rec: InteractionRecord, input: StartInput): Json {
    const { state } = this
    const channel = input.channel
    const user = state.requireUser(rec.userId)
    const d: Json = {
      id: rec.id,
      application_id: state.applicationId,
      type: rec.type,
      token: rec.token,
      version: 1,
      data: input.data,
      channel_id: channel.id,
      channel: { ...channelWire(channel) },
      app_permissions: state.permissions(state.bot.id, channel).toString(),
      locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: { "0": channel.guild_id ?? "0" },
      context: channel.guild_id ? 0 : 1,
      attachment_size_limit: MESSAGE_LIMITS.attachmentBytes,
    }
    if (channel.guild_id) {
      const member = state.requireMember(channel.guild_id, user.id)
      const perms = state.permissions(user.id, channel).toString()
      d.guild_id = channel.guild_id
      d.guild = { id: channel.guild_id, locale: "en-US", features: [] }
      d.guild_locale = "en-US"
      d.member = { ...memberWire(state, member), permissions: perms }
      ;(d.channel as Json).permissions = perms
    } else d.user = userWire(user)
    if (input.message) d.message = messageWire(state, input.message)
    return d
  }

  /** `POST /interactions/{id}/{token}/callback`: 204, or 200 with the callback response when `with_response=true`. */
  callback(id: string, token: string, body: ParsedBody, withResponse: boolean): { status: 200; json: Json } | { status: 204 } {
    const { state } = this
    const rec = state.interactions.get(id)
    const type = typeof body.json.type === "number" ? body.json.type : -1
    if (!rec || rec.token !== token) throw errors.unknownInteraction()
    if (rec.status !== "pending") {
      const err = rec.status === "failed" ? errors.unknownInteraction() : errors.alreadyAcknowledged()
      rec.rejectedCallbacks.push({ type, at: Date.now(), code: err.code })
      state.changed()
      throw err
    }
    if (!ALLOWED_CALLBACKS[rec.kind].includes(type)) {
      throw invalidForm(fieldError("type", "INTERACTION_CALLBACK_TYPE_INVALID", `Callback type ${type} is not valid for this interaction`))
    }
    const data = (body.json.data ?? undefined) as Json | undefined
    const message = this.apply(rec, type, data ?? {}, body)
    rec.callback = { type, data: data && structuredClone(data), latencyMs: Date.now() - rec.createdAt, at: Date.now(), withResponse }
    rec.status = "answered"
    state.changed()
    if (!withResponse) return { status: 204 }
    const interaction: Json = { id: rec.id, type: rec.type }
    if (message && (type === 4 || type === 5)) {
      interaction.response_message_id = message.wire.id
      interaction.response_message_loading = type === 5
      interaction.response_message_ephemeral = Boolean(message.ephemeralTo)
    }
    const resource: Json = { type }
    if (message) resource.message = messageWire(state, message)
    return { status: 200, json: { interaction, resource } }
  }

  private apply(rec: InteractionRecord, type: number, data: Json, body: ParsedBody): MessageRecord | undefined {
    const { state } = this
    const channel = state.requireChannel(rec.channelId)
    if (type === 4 || type === 5) {
      const ephemeral = typeof data.flags === "number" && (data.flags & MESSAGE_FLAGS.ephemeral) !== 0
      if (type === 4) validateMessageBody(data, { hasFiles: body.files.size > 0, partial: false })
      const msg = createMessage(state, channel, state.bot, {
        content: type === 4 ? (typeof data.content === "string" ? data.content : "") : "",
        embeds: type === 4 && Array.isArray(data.embeds) ? (data.embeds as Json[]) : [],
        components: type === 4 && Array.isArray(data.components) ? (data.components as Json[]) : [],
        attachments: type === 4 ? resolveAttachments(state, channel.id, data, body.files) : [],
        flags: (ephemeral ? MESSAGE_FLAGS.ephemeral : 0) | (type === 5 ? MESSAGE_FLAGS.loading : 0),
        type: rec.kind === "command" ? MESSAGE_TYPES.chatInputCommand : MESSAGE_TYPES.default,
        webhook_id: state.applicationId,
        application_id: state.applicationId,
        interaction_metadata: this.metadata(rec),
        allowed_mentions: checkAllowedMentions(data.allowed_mentions),
        ephemeralTo: ephemeral ? rec.userId : undefined,
      })
      rec.originalId = msg.wire.id
      return msg
    }
    if (type === 6 || type === 7) {
      const target = rec.messageId ? state.messages.get(rec.messageId) : undefined
      if (!target || target.deleted) throw errors.unknownMessage()
      rec.originalId = target.wire.id
      if (type === 6) return undefined
      validateMessageBody(data, { hasFiles: body.files.size > 0, partial: true })
      return editMessage(state, target, {
        content: data.content as string | undefined,
        embeds: data.embeds as Json[] | undefined,
        components: data.components as Json[] | undefined,
        attachments: data.attachments || body.files.size ? resolveAttachments(state, channel.id, data, body.files, target.wire.attachments) : undefined,
      })
    }
    if (type === 8) {
      const choices = Array.isArray(data.choices) ? (data.choices as Json[]) : []
      if (choices.length > MESSAGE_LIMITS.autocompleteChoices) throw invalidForm(fieldError("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
      rec.choices = structuredClone(choices)
      return undefined
    }
    rec.modal = structuredClone(data)
    return undefined
  }

  metadata(rec: InteractionRecord): Json {
    const meta: Json = {
      id: rec.id,
      type: rec.type,
      user: userWire(this.state.requireUser(rec.userId)),
      authorizing_integration_owners: { "0": rec.guildId ?? "0" },
    }
    if (rec.commandName) meta.name = rec.commandName
    if (rec.messageId) meta.interacted_message_id = rec.messageId
    return meta
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }
}
