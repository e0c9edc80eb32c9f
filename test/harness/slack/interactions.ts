// People interacting with the app: button clicks and select choices on a message's *current*
// blocks (block_actions over the socket; clicking something that is not there throws, since a
// person could not), slash commands, and the response_url those carry: replace_original,
// delete_original, ephemeral or in_channel replies, at most 5 uses within 30 minutes, each
// recorded. A slash command's ack payload is answered like a response too.
import { validateBlocks, validateText } from "./blocks.ts"
import { wireMessage } from "./events.ts"
import { LIMITS } from "./limits.ts"
import { addEphemeral, createMessage, deleteMessage, replaceMessage } from "./messages.ts"
import { findElements } from "./render.ts"
import type { EnvelopeRecord, SocketHub } from "./socket.ts"
import type { FakeState } from "./state.ts"
import { newId, nextTs, SlackError, type Json, type ResponseRecord } from "./types.ts"

export interface InteractionResult {
  acked: boolean
  /** Of the ack that settled the delivery (undefined when never acknowledged). */
  ackLatencyMs: number | undefined
  attempts: number
  envelope: EnvelopeRecord
  responseUrl: string
  triggerId: string
}

interface ResponseUrl {
  id: string
  origin: ResponseRecord["origin"]
  userId: string
  channelId: string
  messageTs: string | undefined
  createdAt: number
  uses: number
}

export interface RespondAnswer {
  status: number
  body: string
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)
const triggerId = () => `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${newId("", 16).toLowerCase()}`

export class Interactions {
  private readonly urls = new Map<string, ResponseUrl>()
  private readonly state: FakeState
  private readonly hub: SocketHub

  constructor(state: FakeState, hub: SocketHub) {
    this.state = state
    this.hub = hub
  }

  click(userId: string, target: { channel: string; ts: string; actionId: string; value?: string }): Promise<InteractionResult> {
    const fits = (e: Json) => e.type === "button" && (target.value === undefined || e.value === target.value)
    const { m, blockId, element } = this.locate(userId, target, fits)
    const action: Json = { type: "button", action_id: target.actionId, block_id: blockId, text: element.text, value: element.value }
    action.action_ts = nextTs()
    if (element.style !== undefined) action.style = element.style
    return this.sendBlockActions(userId, m, action, {})
  }

  select(userId: string, target: { channel: string; ts: string; actionId: string; value?: string; values?: string[] }): Promise<InteractionResult> {
    const { m, blockId, element } = this.locate(userId, target, (e) => e.type === "static_select" || e.type === "multi_static_select")
    const options = (Array.isArray(element.options) ? element.options : []).filter(isObject)
    const pick = (value: string) => {
      const o = options.find((x) => x.value === value)
      if (!o) throw new Error(`fake-slack: "${value}" is not an option of ${target.actionId}`)
      return { text: o.text, value: o.value }
    }
    const multi = element.type === "multi_static_select"
    const chosen = multi ? (target.values ?? (target.value === undefined ? [] : [target.value])).map(pick) : [pick(target.value ?? "")]
    const action: Json = { type: element.type, action_id: target.actionId, block_id: blockId, action_ts: nextTs() }
    if (element.placeholder !== undefined) action.placeholder = element.placeholder
    if (multi) action.selected_options = chosen
    else action.selected_option = chosen[0]
    const value = multi ? { type: element.type, selected_options: chosen } : { type: element.type, selected_option: chosen[0] }
    return this.sendBlockActions(userId, m, action, { [blockId]: { [target.actionId]: value } })
  }

  slashCommand(userId: string, input: { channel: string; command: string; text?: string }): Promise<InteractionResult> {
    const user = this.state.requireUser(userId)
    const channel = this.state.channels.get(input.channel)
    if (!channel?.members.has(userId)) throw new Error(`fake-slack: ${user.name} is not in ${input.channel}`)
    this.requireSocket()
    const command = input.command.startsWith("/") ? input.command : `/${input.command}`
    const responseUrl = this.newResponseUrl("slash_command", userId, channel.id, undefined)
    const trigger = triggerId()
    const payload: Json = {
      token: "fake-verification-token",
      team_id: this.state.team.id,
      team_domain: this.state.team.domain,
      channel_id: channel.id,
      channel_name: channel.type === "im" ? "directmessage" : channel.name,
      user_id: userId,
      user_name: user.name,
      command,
      text: input.text ?? "",
      api_app_id: this.state.bot.appId,
      is_enterprise_install: "false",
      response_url: responseUrl,
      trigger_id: trigger,
    }
    return this.outcome(this.hub.deliver("slash_commands", payload, true), responseUrl, trigger)
  }

  /** A slash command acknowledged with a message payload: shown like a response_url post. */
  onAck(record: EnvelopeRecord): void {
    const body = record.ackPayload
    if (record.type !== "slash_commands" || !body || (body.text === undefined && body.blocks === undefined)) return
    const url = String(record.payload.response_url ?? "")
    const entry = this.urls.get(url.split("/").pop() ?? "")
    if (entry) this.apply({ ...entry, origin: "slash_command_ack" }, `${url}#ack`, body)
  }

  /** A POST to a response_url (JSON, or a form with a `payload` field). */
  respond(id: string, body: Json): RespondAnswer {
    const entry = this.urls.get(id)
    const url = `${this.state.baseUrl}/response/${id}`
    if (!entry) return { status: 404, body: "no_such_url" }
    const expired = Date.now() - entry.createdAt > LIMITS.responseUrlTtlMs.max
    const error = expired ? "expired_url" : entry.uses >= LIMITS.responseUrlUses.max ? "used_url" : undefined
    if (error) {
      this.record(entry, url, body, "rejected", error)
      return { status: 404, body: error }
    }
    entry.uses++
    return this.apply(entry, url, body)
  }

  private apply(entry: ResponseUrl, url: string, body: Json): RespondAnswer {
    const state = this.state
    const text = typeof body.text === "string" ? body.text : ""
    const blocks = Array.isArray(body.blocks) ? (body.blocks as Json[]) : []
    try {
      validateText(text)
      validateBlocks(body.blocks)
    } catch (err) {
      if (!(err instanceof SlackError)) throw err
      this.record(entry, url, body, "rejected", err.error)
      return { status: 400, body: err.error }
    }
    const original = entry.messageTs ? state.message(entry.channelId, entry.messageTs) : undefined
    const threadTs = typeof body.thread_ts === "string" ? body.thread_ts : original?.threadTs
    if (original && !original.deleted && (body.delete_original === true || body.delete_original === "true")) {
      deleteMessage(state, original)
      this.record(entry, url, body, "deleted", undefined)
    } else if (original && !original.deleted && (body.replace_original === true || body.replace_original === "true")) {
      replaceMessage(state, original, { text, blocks, attachments: Array.isArray(body.attachments) ? (body.attachments as Json[]) : [] })
      this.record(entry, url, body, "replaced", undefined)
    } else if (body.response_type === "in_channel") {
      createMessage(state, state.bot.userId, entry.channelId, { text, blocks, threadTs })
      this.record(entry, url, body, "in_channel", undefined)
    } else {
      const source = entry.origin === "slash_command_ack" ? "slash_command_ack" : "response_url"
      addEphemeral(state, { userId: entry.userId, channel: entry.channelId, text, blocks, threadTs, source })
      this.record(entry, url, body, "ephemeral", undefined)
    }
    return { status: 200, body: JSON.stringify({ ok: true }) }
  }

  private record(entry: ResponseUrl, url: string, body: Json, outcome: ResponseRecord["outcome"], error: string | undefined): void {
    this.state.responses.push({
      id: entry.id,
      url,
      origin: entry.origin,
      userId: entry.userId,
      channelId: entry.channelId,
      messageTs: entry.messageTs,
      body: structuredClone(body),
      at: Date.now(),
      outcome,
      error,
    })
    this.state.changed()
  }

  private newResponseUrl(origin: ResponseUrl["origin"], userId: string, channelId: string, messageTs: string | undefined): string {
    const id = newId("", 24).toLowerCase()
    this.urls.set(id, { id, origin, userId, channelId, messageTs, createdAt: Date.now(), uses: 0 })
    return `${this.state.baseUrl}/response/${id}`
  }

  private requireSocket(): void {
    if (this.hub.count() === 0) throw new Error("fake-slack: no Socket Mode connection is open; Slack would show the person an error")
  }

  private locate(userId: string, target: { channel: string; ts: string; actionId: string }, fits: (e: Json) => boolean) {
    const user = this.state.requireUser(userId)
    const m = this.state.message(target.channel, target.ts)
    if (!m || m.deleted) throw new Error(`fake-slack: no message ${target.channel}/${target.ts} to interact with`)
    if (!this.state.channels.get(m.channel)?.members.has(userId)) throw new Error(`fake-slack: ${user.name} cannot see ${m.channel}`)
    const found = findElements(m, target.actionId).find((f) => fits(f.element))
    if (!found) throw new Error(`fake-slack: message ${m.ts} has no matching element with action_id "${target.actionId}" in its current blocks`)
    this.requireSocket()
    return { m, blockId: found.blockId, element: found.element }
  }

  private sendBlockActions(userId: string, m: NonNullable<ReturnType<FakeState["message"]>>, action: Json, values: Json) {
    const state = this.state
    const user = state.requireUser(userId)
    const channel = state.requireChannel(m.channel)
    const responseUrl = this.newResponseUrl("block_actions", userId, channel.id, m.ts)
    const trigger = triggerId()
    const container: Json = { type: "message", message_ts: m.ts, channel_id: channel.id, is_ephemeral: false }
    if (m.threadTs) container.thread_ts = m.threadTs
    const payload: Json = {
      type: "block_actions",
      user: { id: user.id, username: user.name, name: user.name, team_id: state.team.id },
      api_app_id: state.bot.appId,
      token: "fake-verification-token",
      container,
      trigger_id: trigger,
      team: { id: state.team.id, domain: state.team.domain },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: channel.id, name: channel.type === "im" ? "directmessage" : channel.name },
      message: wireMessage(state, m),
      state: { values },
      response_url: responseUrl,
      actions: [action],
    }
    return this.outcome(this.hub.deliver("interactive", payload, false), responseUrl, trigger)
  }

  private async outcome(record: EnvelopeRecord, responseUrl: string, trigger: string): Promise<InteractionResult> {
    const settled = await this.hub.settled(record)
    return {
      acked: settled.status === "acked",
      ackLatencyMs: settled.ackLatencyMs,
      attempts: settled.attempts.length,
      envelope: settled,
      responseUrl,
      triggerId: trigger,
    }
  }
}
