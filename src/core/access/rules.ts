// Who may do what: pure checks over the access config and the acting user. Defaults are safe:
// anyone in a channel the bot serves may prompt; only the thread's owner (who started it) may
// approve, unless listed; nobody administers unless listed.
import type { ChatUser } from "../../chat/types.ts"

/** Matches users by id or name (with or without a leading @), or by group/role. */
export interface AccessRule {
  everyone?: boolean
  users?: string[]
  groups?: string[]
}

export interface AccessConfig {
  prompt?: AccessRule
  approve?: AccessRule
  admin?: AccessRule
  /** Per channel (id or name), replacing the global rule for the capabilities it names. */
  channels?: Record<string, { prompt?: AccessRule; approve?: AccessRule; admin?: AccessRule }>
  /** Bots whose messages are handled (ids or names); all others, and ourselves, are ignored. */
  allowBots?: string[]
}

export type Capability = "prompt" | "approve" | "admin"

export interface AccessContext {
  user: ChatUser
  /** Channel id and (if known) name, for per-channel rules. */
  channel: string
  channelName?: string
  /** The user who started the thread, if any. */
  ownerID?: string
}

export interface Verdict {
  allowed: boolean
  /** Why: `owner`, `everyone`, `user`, `group`, `admin`, or `not-listed`. */
  reason: string
}

const DEFAULTS: Record<Capability, AccessRule> = {
  prompt: { everyone: true },
  approve: {},
  admin: {},
}

const norm = (s: string) => s.replace(/^@/, "").toLowerCase()

export function matches(rule: AccessRule | undefined, user: ChatUser): string | undefined {
  if (!rule) return undefined
  if (rule.everyone) return "everyone"
  const ids = new Set((rule.users ?? []).map(norm))
  if (ids.has(norm(user.id)) || (user.name !== undefined && ids.has(norm(user.name)))) return "user"
  const groups = new Set((rule.groups ?? []).map(norm))
  if (user.groups?.some((g) => groups.has(norm(g)))) return "group"
  return undefined
}

export function ruleFor(config: AccessConfig, capability: Capability, ctx: Pick<AccessContext, "channel" | "channelName">): AccessRule {
  const channels = config.channels ?? {}
  const local = channels[ctx.channel] ?? (ctx.channelName !== undefined ? channels[ctx.channelName] : undefined)
  return local?.[capability] ?? config[capability] ?? DEFAULTS[capability]
}

export function check(config: AccessConfig, capability: Capability, ctx: AccessContext): Verdict {
  if (ctx.user.isBot && !isAllowedBot(config, ctx.user)) return { allowed: false, reason: "bot" }
  if (capability === "approve" && ctx.ownerID !== undefined && ctx.ownerID === ctx.user.id) return { allowed: true, reason: "owner" }
  const rule = ruleFor(config, capability, ctx)
  const hit = matches(rule, ctx.user)
  if (hit) return { allowed: true, reason: hit }
  // Administrators may approve everywhere.
  if (capability === "approve") {
    const admin = matches(ruleFor(config, "admin", ctx), ctx.user)
    if (admin) return { allowed: true, reason: "admin" }
  }
  return { allowed: false, reason: "not-listed" }
}

export function isAllowedBot(config: AccessConfig, user: ChatUser): boolean {
  const allowed = new Set((config.allowBots ?? []).map(norm))
  return allowed.has(norm(user.id)) || (user.name !== undefined && allowed.has(norm(user.name)))
}
