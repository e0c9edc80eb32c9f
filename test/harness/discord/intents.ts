// Gateway intents: the bits, which are privileged, how IDENTIFY's intents are judged (4013/4014),
// which intent each dispatch needs, and the Message Content blanking (README "Intents").
import type { Json } from "./types.ts"

export const INTENTS = {
  guilds: 1 << 0,
  guildMembers: 1 << 1,
  guildPresences: 1 << 8,
  guildMessages: 1 << 9,
  guildMessageReactions: 1 << 10,
  guildMessageTyping: 1 << 11,
  directMessages: 1 << 12,
  directMessageReactions: 1 << 13,
  directMessageTyping: 1 << 14,
  messageContent: 1 << 15,
} as const

/** Every intent bit Discord defines today (discord-api-types 0.38 GatewayIntentBits); others → 4013. */
export const KNOWN_INTENTS = 53608447

/** The "Privileged Gateway Intents" toggles of the developer portal. */
export interface PrivilegedIntents {
  messageContent: boolean
  guildMembers: boolean
  presences: boolean
}

/** `application.flags` bits an unverified app gets when a toggle is on (the *_LIMITED flags). */
export function applicationFlags(p: PrivilegedIntents): number {
  return (p.presences ? 1 << 13 : 0) | (p.guildMembers ? 1 << 15 : 0) | (p.messageContent ? 1 << 19 : 0)
}

/** The close code IDENTIFY earns, or undefined when the intents are acceptable. */
export function judgeIntents(intents: unknown, p: PrivilegedIntents): 4013 | 4014 | undefined {
  if (typeof intents !== "number" || !Number.isInteger(intents) || intents < 0 || (intents & ~KNOWN_INTENTS) !== 0) return 4013
  if (intents & INTENTS.messageContent && !p.messageContent) return 4014
  if (intents & INTENTS.guildMembers && !p.guildMembers) return 4014
  if (intents & INTENTS.guildPresences && !p.presences) return 4014
  return undefined
}

/** Which dispatch families need which intent, in a guild and in a DM. */
const NEEDS: Record<string, { guild: number; dm: number }> = {
  MESSAGE_CREATE: { guild: INTENTS.guildMessages, dm: INTENTS.directMessages },
  MESSAGE_UPDATE: { guild: INTENTS.guildMessages, dm: INTENTS.directMessages },
  MESSAGE_DELETE: { guild: INTENTS.guildMessages, dm: INTENTS.directMessages },
  MESSAGE_REACTION_ADD: { guild: INTENTS.guildMessageReactions, dm: INTENTS.directMessageReactions },
  MESSAGE_REACTION_REMOVE: { guild: INTENTS.guildMessageReactions, dm: INTENTS.directMessageReactions },
  TYPING_START: { guild: INTENTS.guildMessageTyping, dm: INTENTS.directMessageTyping },
  GUILD_CREATE: { guild: INTENTS.guilds, dm: INTENTS.guilds },
  CHANNEL_CREATE: { guild: INTENTS.guilds, dm: 0 },
  CHANNEL_UPDATE: { guild: INTENTS.guilds, dm: 0 },
  CHANNEL_DELETE: { guild: INTENTS.guilds, dm: 0 },
  THREAD_CREATE: { guild: INTENTS.guilds, dm: 0 },
  THREAD_UPDATE: { guild: INTENTS.guilds, dm: 0 },
  THREAD_DELETE: { guild: INTENTS.guilds, dm: 0 },
  GUILD_MEMBER_ADD: { guild: INTENTS.guildMembers, dm: 0 },
  GUILD_MEMBER_UPDATE: { guild: INTENTS.guildMembers, dm: 0 },
}

/** The intent a dispatch needs (0 = always delivered, e.g. INTERACTION_CREATE, READY). */
export function intentFor(t: string, inDm: boolean): number {
  const need = NEEDS[t]
  if (!need) return 0
  return inDm ? need.dm : need.guild
}

/**
 * Without MessageContent, these fields arrive empty (content "", no embeds, attachments or
 * components), except in DMs, in messages that mention the bot, and in the bot's own messages;
 * the caller decides the exemption and calls this only when it applies.
 */
export function blankContent(message: Json): Json {
  const out: Json = { ...message, content: "", embeds: [], attachments: [], components: [] }
  if ("poll" in out) delete out.poll
  return out
}
