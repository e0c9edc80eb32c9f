// Mentions: parses `<@id>`, `<@!id>`, `<@&role>`, `@everyone`/`@here` out of content and applies
// `allowed_mentions` to decide who is really notified (README "Mentions"). The message's
// `mentions`, `mention_roles` and `mention_everyone` then hold only what pings, as on Discord.
import { fieldError, invalidForm } from "./errors.ts"
import { PERMISSIONS } from "./permissions.ts"
import type { FakeState } from "./state.ts"
import type { ChannelRecord, Json, Pings, UserRecord } from "./types.ts"

export interface AllowedMentions {
  parse?: string[]
  users?: string[]
  roles?: string[]
  replied_user?: boolean
}

export interface ResolvedMentions {
  mentions: UserRecord[]
  mention_roles: string[]
  mention_everyone: boolean
  pings: Pings
}

const unique = (xs: string[]) => [...new Set(xs)]

export function parseMentions(content: string): { users: string[]; roles: string[]; everyone: boolean } {
  return {
    users: unique([...content.matchAll(/<@!?(\d{17,20})>/g)].map((m) => m[1]!)),
    roles: unique([...content.matchAll(/<@&(\d{17,20})>/g)].map((m) => m[1]!)),
    everyone: /@(everyone|here)\b/.test(content),
  }
}

/** Rejects the shapes Discord rejects: unknown parse types, `parse: ["users"]` together with `users: [...]`. */
export function checkAllowedMentions(allowed: unknown): AllowedMentions | undefined {
  if (allowed === undefined || allowed === null) return undefined
  if (typeof allowed !== "object") throw invalidForm(fieldError("allowed_mentions", "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"))
  const a = allowed as Json
  const parse = Array.isArray(a.parse) ? a.parse.map(String) : undefined
  for (const p of parse ?? []) {
    if (!["users", "roles", "everyone"].includes(p)) throw invalidForm(fieldError("allowed_mentions.parse", "BASE_TYPE_CHOICES", `Value must be one of {'users', 'roles', 'everyone'}.`))
  }
  const users = Array.isArray(a.users) ? a.users.map(String) : undefined
  const roles = Array.isArray(a.roles) ? a.roles.map(String) : undefined
  if ((parse?.includes("users") && users?.length) || (parse?.includes("roles") && roles?.length)) {
    throw invalidForm(fieldError("allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", "parse:[\"users\"] and users: [ids...] are mutually exclusive."))
  }
  return { parse, users, roles, replied_user: typeof a.replied_user === "boolean" ? a.replied_user : undefined }
}

/**
 * Who is notified. Without `allowed_mentions` everything written pings (roles only when mentionable
 * or the author may mention everyone; @everyone/@here only with Mention Everyone), and a reply
 * pings the replied-to author. With it, only what `parse`/`users`/`roles` allow, and the replied-to
 * author only with `replied_user: true`.
 */
export function resolveMentions(
  state: FakeState,
  channel: ChannelRecord,
  authorId: string,
  content: string,
  allowed: AllowedMentions | undefined,
  repliedAuthorId: string | null,
): ResolvedMentions {
  const written = parseMentions(content)
  const guild = channel.guild_id ? state.guilds.get(channel.guild_id) : undefined
  const mayEveryone = guild ? (state.permissions(authorId, channel) & PERMISSIONS.mentionEveryone) !== 0n : false
  const parse = allowed?.parse ?? (allowed ? [] : ["users", "roles", "everyone"])
  const users = written.users.filter((id) => state.users.has(id) && (parse.includes("users") || allowed?.users?.includes(id)))
  const roles = written.roles.filter((id) => {
    const role = guild?.roles.find((r) => r.id === id)
    if (!role || !(parse.includes("roles") || allowed?.roles?.includes(id))) return false
    return role.mentionable || mayEveryone
  })
  const everyone = written.everyone && parse.includes("everyone") && mayEveryone
  const pingReplied = repliedAuthorId !== null && repliedAuthorId !== authorId && (allowed ? allowed.replied_user === true : true)
  const pinged = unique(pingReplied && repliedAuthorId ? [...users, repliedAuthorId] : users)
  return {
    mentions: pinged.map((id) => structuredClone(state.requireUser(id))),
    mention_roles: roles,
    mention_everyone: everyone,
    pings: { users: pinged, roles, everyone, repliedUser: pingReplied ? repliedAuthorId : null },
  }
}
