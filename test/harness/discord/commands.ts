// Application commands: bulk overwrite (global or per guild; guild commands apply at once),
// listing, and turning a test's `{name: value}` options into the `data` of a type 2 (command)
// or type 4 (autocomplete) interaction, typed from the registered definition, with `resolved`
// for user, channel and role options. Subcommands are not modelled (README "Not modelled").
import { fieldError, invalidForm } from "./errors.ts"
import { channelWire, memberWire, userWire } from "./payloads.ts"
import type { FakeState } from "./state.ts"
import { snowflake, type CommandRecord, type Json } from "./types.ts"

const NAME = /^[-_\p{L}\p{N}]{1,32}$/u
const MAX_COMMANDS = 100
const MAX_OPTIONS = 25

function checkCommand(c: Json, i: number): void {
  const type = (c.type as number | undefined) ?? 1
  if (typeof c.name !== "string" || !NAME.test(c.name) || (type === 1 && c.name !== c.name.toLowerCase())) {
    throw invalidForm(fieldError(`${i}.name`, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
  }
  if (type === 1 && (typeof c.description !== "string" || c.description.length < 1 || c.description.length > 100)) {
    throw invalidForm(fieldError(`${i}.description`, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
  }
  const options = Array.isArray(c.options) ? (c.options as Json[]) : []
  if (options.length > MAX_OPTIONS) throw invalidForm(fieldError(`${i}.options`, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
}

/** `PUT /applications/{app}(/guilds/{gid})/commands`: replaces that scope's commands, keeping ids of same name+type. */
export function overwriteCommands(state: FakeState, guildId: string | null, body: unknown): Json[] {
  if (!Array.isArray(body)) throw invalidForm(fieldError("_root", "BASE_TYPE_ARRAY", "Must be an array."))
  if (body.length > MAX_COMMANDS) throw invalidForm(fieldError("_root", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."))
  const input = body as Json[]
  input.forEach(checkCommand)
  const names = input.map((c) => `${(c.type as number | undefined) ?? 1}:${String(c.name)}`)
  if (new Set(names).size !== names.length) throw invalidForm(fieldError("_root", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique"))
  const before = state.commands.filter((c) => c.guildId === guildId)
  const next: CommandRecord[] = input.map((c) => {
    const type = (c.type as number | undefined) ?? 1
    const old = before.find((o) => o.wire.name === c.name && o.wire.type === type)
    const wire: CommandRecord["wire"] = {
      description: "",
      options: [],
      default_member_permissions: null,
      nsfw: false,
      integration_types: [0],
      contexts: null,
      ...structuredClone(c),
      id: old?.wire.id ?? snowflake(),
      application_id: state.applicationId,
      version: snowflake(),
      type,
      name: String(c.name),
    }
    if (guildId) wire.guild_id = guildId
    return { guildId, wire }
  })
  state.commands = [...state.commands.filter((c) => c.guildId !== guildId), ...next]
  state.changed()
  return next.map((c) => structuredClone(c.wire))
}

export const listCommands = (state: FakeState, guildId: string | null): Json[] =>
  state.commands.filter((c) => c.guildId === guildId).map((c) => structuredClone(c.wire))

/** A guild command of that name, else a global one; throws if neither exists (nobody can invoke it). */
export function findCommand(state: FakeState, guildId: string | null, name: string): CommandRecord {
  const found = state.commands.find((c) => c.guildId === guildId && guildId !== null && c.wire.name === name) ??
    state.commands.find((c) => c.guildId === null && c.wire.name === name)
  if (!found) throw new Error(`fake-discord: no command /${name} is registered for guild ${guildId ?? "(global)"}; a person cannot invoke it`)
  return found
}

export type OptionValue = string | number | boolean

/** Builds interaction `data` for a chat-input command from `{option: value}`. */
export function commandData(
  state: FakeState,
  cmd: CommandRecord,
  values: Record<string, OptionValue>,
  opts: { guildId: string | null; focused?: string },
): Json {
  const defs = (cmd.wire.options ?? []) as Json[]
  const options: Json[] = []
  const resolved: Record<string, Record<string, Json>> = {}
  const put = (kind: string, id: string, v: Json) => ((resolved[kind] ??= {})[id] = v)
  for (const [name, value] of Object.entries(values)) {
    const def = defs.find((d) => d.name === name)
    if (!def) throw new Error(`fake-discord: /${cmd.wire.name} has no option "${name}"`)
    const type = def.type as number
    if (type === 1 || type === 2) throw new Error("fake-discord: subcommands are not modelled")
    const option: Json = { name, type, value }
    if (opts.focused === name) option.focused = true
    else if (type === 6) {
      const user = state.requireUser(String(value))
      put("users", user.id, userWire(user))
      const member = opts.guildId ? state.member(opts.guildId, user.id) : undefined
      if (member) put("members", user.id, memberWire(state, member, false))
    } else if (type === 7) put("channels", String(value), channelWire(state.requireChannel(String(value))))
    else if (type === 8) {
      const role = state.guilds.get(opts.guildId ?? "")?.roles.find((r) => r.id === value)
      if (!role) throw new Error(`fake-discord: unknown role ${String(value)}`)
      put("roles", role.id, structuredClone(role) as unknown as Json)
    }
    options.push(option)
  }
  if (!opts.focused) {
    for (const d of defs) {
      if (d.required && !(String(d.name) in values)) throw new Error(`fake-discord: /${cmd.wire.name} needs option "${String(d.name)}"`)
    }
  }
  const data: Json = { id: cmd.wire.id, name: cmd.wire.name, type: cmd.wire.type, options }
  if (cmd.guildId) data.guild_id = cmd.guildId
  if (Object.keys(resolved).length) data.resolved = resolved
  return data
}
