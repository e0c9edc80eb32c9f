// The relay's commands as Discord slash commands: one application command per CommandSpec, so
// `/new`, `/status`… read like the prefix commands they mirror and each shows its own help in
// Discord's picker (docs/discord.md "Slash commands"). A spec's free-text argument becomes a
// string option, with Discord's fixed choices when there are at most 25, else autocomplete.
// Registered per guild by bulk overwrite (guild commands apply at once; global ones take up to
// an hour), at start and whenever the bot joins a server.
import { ApplicationCommandOptionType, ApplicationCommandType, Routes, type Client } from "discord.js"
import type { CommandSpec } from "../../src/chat/types.ts"
import type { Logger } from "../../src/log/logger.ts"
import { call } from "./errors.ts"
import { LIMITS } from "./limits.ts"

const NAME = /^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)

export interface CommandJson {
  name: string
  type: ApplicationCommandType.ChatInput
  description: string
  options: Array<{
    type: ApplicationCommandOptionType.String
    name: string
    description: string
    required: boolean
    choices?: Array<{ name: string; value: string }>
    autocomplete?: boolean
  }>
}

/** A valid option name from the spec's argument name (lower case, no spaces). */
export function optionName(spec: CommandSpec): string | undefined {
  if (!spec.argument) return undefined
  const name = spec.argument.name.toLowerCase().replace(/[^-_\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "").slice(0, 32)
  return name || "text"
}

export function commandJson(spec: CommandSpec): CommandJson | undefined {
  const name = spec.name.toLowerCase()
  if (!NAME.test(name)) return undefined
  const arg = spec.argument
  const options: CommandJson["options"] = []
  if (arg) {
    const choices = arg.choices ?? []
    options.push({
      type: ApplicationCommandOptionType.String,
      name: optionName(spec)!,
      description: clip(arg.description || spec.usage || spec.summary || arg.name, LIMITS.maxCommandDescription),
      required: arg.required,
      ...(choices.length > 0 && choices.length <= LIMITS.maxChoices ? { choices: choices.map((c) => ({ name: clip(c, 100), value: c.slice(0, 100) })) } : {}),
      ...(choices.length > LIMITS.maxChoices ? { autocomplete: true } : {}),
    })
  }
  return { name, type: ApplicationCommandType.ChatInput, description: clip(spec.summary || name, LIMITS.maxCommandDescription), options }
}

/** Up to 25 of `choices` for what a person typed: prefix matches first, then other matches. */
export function suggest(choices: string[], typed: string): Array<{ name: string; value: string }> {
  const t = typed.toLowerCase()
  const starts = choices.filter((c) => c.toLowerCase().startsWith(t))
  const contains = choices.filter((c) => !c.toLowerCase().startsWith(t) && c.toLowerCase().includes(t))
  return [...starts, ...contains].slice(0, LIMITS.maxChoices).map((c) => ({ name: clip(c, 100), value: c.slice(0, 100) }))
}

export class SlashCommands {
  private readonly client: Client
  private readonly log: Logger
  private readonly applicationId: string | undefined
  private specs: CommandSpec[] | undefined

  /** `applicationId`: configured, else what READY says. */
  constructor(client: Client, log: Logger, applicationId?: string) {
    this.client = client
    this.log = log
    this.applicationId = applicationId
  }

  spec(name: string): CommandSpec | undefined {
    return this.specs?.find((s) => s.name.toLowerCase() === name)
  }

  /** Remembers the specs and registers them in each guild (now if the gateway is ready, else once it is). */
  async register(specs: CommandSpec[], guilds: string[]): Promise<void> {
    this.specs = specs
    if (!this.client.isReady()) return
    await Promise.all(guilds.map((g) => this.registerIn(g)))
  }

  /** Bulk-overwrites one guild's commands; failures are logged (the prefix commands still work). */
  async registerIn(guildId: string): Promise<void> {
    const specs = this.specs
    const app = this.applicationId ?? this.client.application?.id
    if (!specs || !app) return
    const body: CommandJson[] = []
    for (const spec of specs) {
      const json = commandJson(spec)
      if (!json) this.log.warn({ command: spec.name }, "not a valid Discord command name; only the prefix command exists")
      else if (!body.some((c) => c.name === json.name)) body.push(json)
    }
    try {
      await call(`register ${body.length} slash commands in guild ${guildId}`, () => this.client.rest.put(Routes.applicationGuildCommands(app, guildId), { body }))
      this.log.info({ guildId, commands: body.map((c) => c.name) }, "Discord slash commands registered")
    } catch (err) {
      this.log.warn({ err, guildId }, "Discord slash commands not registered; was the bot invited with the applications.commands scope? (see docs/discord.md)")
    }
  }
}
