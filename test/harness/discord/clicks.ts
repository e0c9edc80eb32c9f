// Test hooks for a person interacting: clicking a button, choosing in a string select, invoking
// a slash command and typing into an autocomplete option. A person can only use what exists: the
// component must be on a message they can see (live, or ephemeral to them), enabled, and the
// values must be options of the select; the command must be registered. Each resolves with the
// interaction once it was answered or failed at the deadline (interactions.ts).
import { commandData, findCommand, type OptionValue } from "./commands.ts"
import { requireHumanAccess } from "./humans.ts"
import type { InteractionHub } from "./interactions.ts"
import type { FakeState } from "./state.ts"
import type { InteractionRecord, Json, MessageRecord } from "./types.ts"

export interface ComponentRef {
  channelId: string
  messageId: string
  customId: string
}

function visibleMessage(state: FakeState, userId: string, channelId: string, messageId: string): MessageRecord {
  requireHumanAccess(state, userId, channelId)
  const rec = state.messages.get(messageId)
  const visible = rec && !rec.deleted && rec.wire.channel_id === channelId && (!rec.ephemeralTo || rec.ephemeralTo === userId)
  if (!visible) throw new Error(`fake-discord: message ${messageId} is not visible to ${userId} in ${channelId}`)
  return rec
}

function findComponent(rec: MessageRecord, customId: string): Json {
  for (const row of rec.wire.components) {
    const children = Array.isArray(row.components) ? (row.components as Json[]) : []
    const found = children.find((c) => c.custom_id === customId)
    if (found) return found
  }
  const ids = rec.wire.components.flatMap((r) => (Array.isArray(r.components) ? (r.components as Json[]) : []).map((c) => c.custom_id))
  throw new Error(`fake-discord: message ${rec.wire.id} has no component "${customId}" (it has: ${JSON.stringify(ids)}); a person cannot click it`)
}

export function click(state: FakeState, hub: InteractionHub, userId: string, ref: ComponentRef): Promise<InteractionRecord> {
  const rec = visibleMessage(state, userId, ref.channelId, ref.messageId)
  const c = findComponent(rec, ref.customId)
  if (c.type !== 2) throw new Error(`fake-discord: "${ref.customId}" is not a button (type ${String(c.type)})`)
  if (c.style === 5 || c.style === 6) throw new Error(`fake-discord: "${ref.customId}" is a link/premium button; clicking it sends no interaction`)
  if (c.disabled === true) throw new Error(`fake-discord: button "${ref.customId}" is disabled; a person cannot click it`)
  return hub.start({
    kind: "button",
    userId,
    channel: state.requireChannel(ref.channelId),
    message: rec,
    data: { custom_id: ref.customId, component_type: 2 },
    customId: ref.customId,
  })
}

export function select(state: FakeState, hub: InteractionHub, userId: string, ref: ComponentRef & { values: string[] }): Promise<InteractionRecord> {
  const rec = visibleMessage(state, userId, ref.channelId, ref.messageId)
  const c = findComponent(rec, ref.customId)
  if (c.type !== 3) throw new Error(`fake-discord: "${ref.customId}" is not a string select (type ${String(c.type)}); other selects are not modelled`)
  if (c.disabled === true) throw new Error(`fake-discord: select "${ref.customId}" is disabled`)
  const options = (Array.isArray(c.options) ? (c.options as Json[]) : []).map((o) => o.value)
  const bad = ref.values.filter((v) => !options.includes(v))
  if (bad.length) throw new Error(`fake-discord: ${JSON.stringify(bad)} are not options of "${ref.customId}" (${JSON.stringify(options)})`)
  const min = typeof c.min_values === "number" ? c.min_values : 1
  const max = typeof c.max_values === "number" ? c.max_values : 1
  if (ref.values.length < min || ref.values.length > max) throw new Error(`fake-discord: "${ref.customId}" takes ${min}–${max} values`)
  return hub.start({
    kind: "select",
    userId,
    channel: state.requireChannel(ref.channelId),
    message: rec,
    data: { custom_id: ref.customId, component_type: 3, values: [...ref.values] },
    customId: ref.customId,
    values: [...ref.values],
  })
}

export interface CommandUse {
  channelId: string
  name: string
  options?: Record<string, OptionValue>
}

export function slashCommand(state: FakeState, hub: InteractionHub, userId: string, use: CommandUse): Promise<InteractionRecord> {
  const channel = requireHumanAccess(state, userId, use.channelId)
  const guildId = channel.guild_id ?? null
  const cmd = findCommand(state, guildId, use.name)
  const data = commandData(state, cmd, use.options ?? {}, { guildId })
  return hub.start({ kind: "command", userId, channel, data, commandName: use.name, options: data.options as Json[] })
}

export function autocomplete(state: FakeState, hub: InteractionHub, userId: string, use: CommandUse & { focused: string }): Promise<InteractionRecord> {
  const channel = requireHumanAccess(state, userId, use.channelId)
  const guildId = channel.guild_id ?? null
  const cmd = findCommand(state, guildId, use.name)
  const options = { [use.focused]: "", ...use.options }
  const data = commandData(state, cmd, options, { guildId, focused: use.focused })
  return hub.start({ kind: "autocomplete", userId, channel, data, commandName: use.name, options: data.options as Json[] })
}
