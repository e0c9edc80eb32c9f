// What the bot needs from a server, in one place (docs/discord.md "Setup"): the permission bits
// (each with why), the invite URL that asks for exactly those, the privileged intent to enable,
// and Discord's permission computation (roles, then channel overwrites) for `doctor`.
import { PermissionFlagsBits } from "discord.js"

/** Each bit the relay uses, and what for. */
export const REQUIRED_PERMISSIONS: Array<{ name: string; bit: bigint; why: string }> = [
  { name: "View Channel", bit: PermissionFlagsBits.ViewChannel, why: "see the channels it serves" },
  { name: "Send Messages", bit: PermissionFlagsBits.SendMessages, why: "answer, and show typing" },
  { name: "Send Messages in Threads", bit: PermissionFlagsBits.SendMessagesInThreads, why: "answer in session threads and forum posts" },
  { name: "Create Public Threads", bit: PermissionFlagsBits.CreatePublicThreads, why: "open a thread on the message that mentions it" },
  { name: "Read Message History", bit: PermissionFlagsBits.ReadMessageHistory, why: "catch up on messages after a reconnect, and see reactions" },
  { name: "Add Reactions", bit: PermissionFlagsBits.AddReactions, why: "acknowledge requests and offer reaction answers" },
  { name: "Attach Files", bit: PermissionFlagsBits.AttachFiles, why: "upload files the agent produced" },
]

export const REQUIRED_BITS = REQUIRED_PERMISSIONS.reduce((all, p) => all | p.bit, 0n)

/** OAuth2 scopes: the bot user, and slash commands in the servers it joins. */
export const INVITE_SCOPES = ["bot", "applications.commands"]

export function inviteUrl(applicationId: string, permissions: bigint = REQUIRED_BITS): string {
  const q = new URLSearchParams({ client_id: applicationId, scope: INVITE_SCOPES.join(" "), permissions: permissions.toString() })
  return `https://discord.com/oauth2/authorize?${q.toString()}`
}

/** Names of the required permissions missing from `granted`. */
export function missingPermissions(granted: bigint): string[] {
  return REQUIRED_PERMISSIONS.filter((p) => (granted & p.bit) !== p.bit).map((p) => p.name)
}

/** `application.flags`: Message Content allowed (verified apps) or allowed for an unverified app (`_LIMITED`). */
export const MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19)

export interface RoleLike {
  id: string
  permissions: string
}
export interface OverwriteLike {
  id: string
  type: number
  allow: string
  deny: string
}

const ALL = (1n << 53n) - 1n

/** Discord's computation: @everyone and the member's roles, administrator, then the channel's overwrites in order. */
export function channelPermissions(input: {
  guildId: string
  ownerId: string
  userId: string
  memberRoles: string[]
  roles: RoleLike[]
  overwrites: OverwriteLike[]
}): bigint {
  if (input.ownerId === input.userId) return ALL
  const role = (id: string) => input.roles.find((r) => r.id === id)
  let perms = BigInt(role(input.guildId)?.permissions ?? "0")
  for (const id of input.memberRoles) perms |= BigInt(role(id)?.permissions ?? "0")
  if (perms & PermissionFlagsBits.Administrator) return ALL
  const apply = (o: OverwriteLike | undefined) => {
    if (o) perms = (perms & ~BigInt(o.deny)) | BigInt(o.allow)
  }
  apply(input.overwrites.find((o) => o.type === 0 && o.id === input.guildId))
  let allow = 0n
  let deny = 0n
  for (const o of input.overwrites) {
    if (o.type === 0 && input.memberRoles.includes(o.id)) {
      allow |= BigInt(o.allow)
      deny |= BigInt(o.deny)
    }
  }
  perms = (perms & ~deny) | allow
  apply(input.overwrites.find((o) => o.type === 1 && o.id === input.userId))
  return perms & PermissionFlagsBits.ViewChannel ? perms : 0n
}
