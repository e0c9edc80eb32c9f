// Permission bits and Discord's permission computation (base from roles, then channel
// overwrites: @everyone, roles, member), used by REST checks (50001 / 50013) and by interaction
// payloads (`member.permissions`, `app_permissions`). Pure functions over plain records.
import type { ChannelRecord, GuildRecord, MemberRecord } from "./types.ts"

export const PERMISSIONS = {
  createInstantInvite: 1n << 0n,
  administrator: 1n << 3n,
  addReactions: 1n << 6n,
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  manageMessages: 1n << 13n,
  embedLinks: 1n << 14n,
  attachFiles: 1n << 15n,
  readMessageHistory: 1n << 16n,
  mentionEveryone: 1n << 17n,
  useExternalEmojis: 1n << 18n,
  changeNickname: 1n << 26n,
  useApplicationCommands: 1n << 31n,
  manageThreads: 1n << 34n,
  createPublicThreads: 1n << 35n,
  createPrivateThreads: 1n << 36n,
  sendMessagesInThreads: 1n << 38n,
} as const

const P = PERMISSIONS

/** Every bit up to 1<<50: what administrators and owners effectively hold. */
export const ALL_PERMISSIONS = (1n << 51n) - 1n

/** What the fake gives `@everyone` in a new guild: a member can read, write, react, thread and use commands. */
export const DEFAULT_EVERYONE =
  P.createInstantInvite | P.addReactions | P.viewChannel | P.sendMessages | P.embedLinks | P.attachFiles |
  P.readMessageHistory | P.useExternalEmojis | P.changeNickname | P.useApplicationCommands |
  P.createPublicThreads | P.createPrivateThreads | P.sendMessagesInThreads

/** What the bot's managed role gets (as if invited with these scopes): the everyday set plus message and thread management. */
export const DEFAULT_BOT = DEFAULT_EVERYONE | P.manageMessages | P.manageThreads | P.mentionEveryone

/** Deny sets behind the fake's `botAccess` knob, applied as a member overwrite for the bot. */
export const ACCESS_DENY = {
  full: 0n,
  "read-only": P.sendMessages | P.sendMessagesInThreads | P.addReactions | P.createPublicThreads | P.createPrivateThreads,
  none: P.viewChannel,
} as const
export type ChannelAccess = keyof typeof ACCESS_DENY

export function basePermissions(guild: GuildRecord, member: MemberRecord | undefined, userId: string): bigint {
  if (guild.owner_id === userId) return ALL_PERMISSIONS
  let perms = BigInt(guild.roles[0]?.permissions ?? "0")
  for (const roleId of member?.roles ?? []) {
    const role = guild.roles.find((r) => r.id === roleId)
    if (role) perms |= BigInt(role.permissions)
  }
  return perms & P.administrator ? ALL_PERMISSIONS : perms
}

/** Applies a channel's overwrites in Discord's order; threads use their parent's overwrites. */
export function channelPermissions(
  guild: GuildRecord,
  member: MemberRecord | undefined,
  userId: string,
  channel: ChannelRecord | undefined,
): bigint {
  let perms = basePermissions(guild, member, userId)
  if (perms === ALL_PERMISSIONS || !channel) return perms
  const overwrites = channel.permission_overwrites ?? []
  const apply = (o: { allow: string; deny: string } | undefined) => {
    if (o) perms = (perms & ~BigInt(o.deny)) | BigInt(o.allow)
  }
  apply(overwrites.find((o) => o.type === 0 && o.id === guild.id))
  let allow = 0n
  let deny = 0n
  for (const o of overwrites) {
    if (o.type === 0 && member?.roles.includes(o.id)) {
      allow |= BigInt(o.allow)
      deny |= BigInt(o.deny)
    }
  }
  perms = (perms & ~deny) | allow
  apply(overwrites.find((o) => o.type === 1 && o.id === userId))
  // Without View Channel nothing else applies.
  return perms & P.viewChannel ? perms : 0n
}
