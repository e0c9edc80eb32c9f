// Who may do what: pure checks over the access config, the names it mentions resolved to ids
// (names.ts), and the acting user. Fail closed: a user the platform could not identify is
// refused everything; bots and webhooks only act when listed; direct and group messages have
// their own rule (default: nobody); users match by id, never by their changeable name. The
// thread owner approves only while no approvers are configured, unless `ownersApprove` says so.
import type { ChatUser, Space } from "../../chat/types.ts"
import { NO_NAMES, type ResolvedNames } from "./names.ts"

/** Matches users by id (or a configured name resolved to its id at start), or by group/role. */
export interface AccessRule {
  everyone?: boolean
  users?: string[]
  groups?: string[]
}

export interface ChannelRules {
  prompt?: AccessRule
  approve?: AccessRule
  admin?: AccessRule
}

export interface AccessConfig {
  prompt?: AccessRule
  approve?: AccessRule
  admin?: AccessRule
  /** Per channel (id, name or `#name`, optionally `platform:`-qualified), replacing the global rules it names. */
  channels?: Record<string, ChannelRules>
  /** Who may talk to the bot in direct and group messages. Absent: nobody (DMs are off). */
  direct?: AccessRule
  /** Bots and webhooks (ids or names) whose messages are handled; all others, and ourselves, are ignored. */
  allowBots?: string[]
  /**
   * The thread's owner may answer its requests. Default: only while no approvers are
   * configured (otherwise nobody could answer); with approvers, only when set to true.
   */
  ownersApprove?: boolean
}

export type Capability = "prompt" | "approve" | "admin"

export interface AccessContext {
  user: ChatUser
  platform: string
  /** Channel id and (if known) name, for per-channel rules. */
  channel: string
  channelName?: string
  space: Space
  /** The user who started the thread, if any. */
  ownerID?: string
}

export interface Verdict {
  allowed: boolean
  /** Why: `owner`, `everyone`, `user`, `group`, `admin`, `bot`, `unknown-user`, `direct-off`, `not-listed`. */
  reason: string
}

const norm = (s: string) => s.replace(/^[@#~]/, "").toLowerCase()

/** True when `entry` (from the config) denotes this user on this platform. */
function names(entry: string, user: ChatUser, platform: string, resolved: ResolvedNames): boolean {
  if (entry === user.id || entry === `${platform}:${user.id}`) return true
  return resolved.user(platform, entry) === user.id
}

export function matches(rule: AccessRule | undefined, user: ChatUser, platform: string, resolved: ResolvedNames = NO_NAMES): string | undefined {
  if (!rule || user.unknown) return undefined
  if (rule.everyone) return "everyone"
  if ((rule.users ?? []).some((e) => names(e, user, platform, resolved))) return "user"
  const groups = new Set((rule.groups ?? []).map(norm))
  if (user.groups?.some((g) => groups.has(norm(g)))) return "group"
  return undefined
}

/** The per-channel rules for a channel: by id (also a name resolved to this id at start), then by name. */
export function channelRules(config: AccessConfig, ctx: Pick<AccessContext, "platform" | "channel" | "channelName">, resolved: ResolvedNames = NO_NAMES): ChannelRules | undefined {
  const channels = config.channels ?? {}
  for (const [key, rules] of Object.entries(channels)) {
    const bare = key.startsWith(`${ctx.platform}:`) ? key.slice(ctx.platform.length + 1) : key.includes(":") ? undefined : key
    if (bare === undefined) continue // qualified for another platform
    if (bare === ctx.channel || resolved.channel(ctx.platform, key) === ctx.channel) return rules
    if (ctx.channelName !== undefined && norm(bare) === norm(ctx.channelName)) return rules
  }
  return undefined
}

function ruleFor(config: AccessConfig, capability: Capability, ctx: AccessContext, resolved: ResolvedNames): AccessRule | undefined {
  const local = ctx.space === "channel" ? channelRules(config, ctx, resolved) : undefined
  return local?.[capability] ?? config[capability]
}

/** Whether approvers exist for this place (then owners approve only when `ownersApprove` is set). */
export function hasApprovers(config: AccessConfig, ctx: AccessContext, resolved: ResolvedNames = NO_NAMES): boolean {
  const rule = ruleFor(config, "approve", ctx, resolved)
  const admin = ruleFor(config, "admin", ctx, resolved)
  const some = (r: AccessRule | undefined) => Boolean(r && (r.everyone || (r.users?.length ?? 0) > 0 || (r.groups?.length ?? 0) > 0))
  return some(rule) || some(admin)
}

export function ownersApprove(config: AccessConfig, ctx: AccessContext, resolved: ResolvedNames = NO_NAMES): boolean {
  return config.ownersApprove ?? !hasApprovers(config, ctx, resolved)
}

export function check(config: AccessConfig, capability: Capability, ctx: AccessContext, resolved: ResolvedNames = NO_NAMES): Verdict {
  const { user } = ctx
  if (user.unknown) return { allowed: false, reason: "unknown-user" }
  if (user.isBot && !isAllowedBot(config, user, ctx.platform, resolved)) return { allowed: false, reason: "bot" }
  if (capability === "prompt" && ctx.space !== "channel") {
    const hit = matches(config.direct, user, ctx.platform, resolved)
    return hit ? { allowed: true, reason: hit } : { allowed: false, reason: config.direct ? "not-listed" : "direct-off" }
  }
  const hit = matches(ruleFor(config, capability, ctx, resolved) ?? (capability === "prompt" ? { everyone: true } : undefined), user, ctx.platform, resolved)
  if (hit) return { allowed: true, reason: hit }
  if (capability === "approve") {
    // Administrators may approve everywhere; the owner only where owners approve.
    if (matches(ruleFor(config, "admin", ctx, resolved), user, ctx.platform, resolved)) return { allowed: true, reason: "admin" }
    if (ctx.ownerID !== undefined && ctx.ownerID === user.id && ownersApprove(config, ctx, resolved)) return { allowed: true, reason: "owner" }
  }
  return { allowed: false, reason: "not-listed" }
}

export function isAllowedBot(config: AccessConfig, user: ChatUser, platform: string, resolved: ResolvedNames = NO_NAMES): boolean {
  return (config.allowBots ?? []).some((e) => names(e, user, platform, resolved))
}

/** Who may answer, in words, for refusals: "@alice or an approver", "an approver". */
export function approverWords(config: AccessConfig, ctx: AccessContext, owner: string | undefined, resolved: ResolvedNames = NO_NAMES): string {
  if (owner && ownersApprove(config, ctx, resolved)) return hasApprovers(config, ctx, resolved) ? `${owner} or an approver` : owner
  return "an approver"
}
