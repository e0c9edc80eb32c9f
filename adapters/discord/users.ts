// Who posted, clicked or reacted, as a ChatUser: the user id, the name and the member's display
// name, and as `groups` the member's server roles (ids and names; access rules match either).
// Events that carry the member (messages, interactions, guild reactions) are used as they are;
// otherwise (history reads, reaction removals, DMs) the member is read over REST, cached briefly
// and bounded (src/chat/ttl-cache), one request per user at a time.
import { GuildMember, type Client, type Guild, type User } from "discord.js"
import type { ChatUser } from "../../src/chat/types.ts"
import { TtlCache } from "../../src/chat/ttl-cache.ts"
import type { Logger } from "../../src/log/logger.ts"
import { LIMITS } from "./limits.ts"

type Person = Pick<User, "id" | "username" | "globalName" | "bot">

/** Role ids and names of a member, without @everyone (whose id is the guild's). */
export function rolesOf(member: GuildMember): string[] {
  const roles = [...member.roles.cache.values()].filter((r) => r.id !== member.guild.id)
  return [...roles.map((r) => r.id), ...roles.map((r) => r.name)]
}

export function chatUser(user: Person, member?: GuildMember, groups: string[] = member ? rolesOf(member) : []): ChatUser {
  return {
    id: user.id,
    name: user.username,
    displayName: member?.nickname || user.globalName || user.username,
    isBot: Boolean(user.bot),
    groups,
  }
}

/** A webhook's message is never its owner speaking: a bot, as far as access goes. */
export function webhookUser(webhookId: string, author: Person): ChatUser {
  return { id: `webhook:${webhookId}`, name: author.username, displayName: author.globalName || author.username, isBot: true, webhook: true }
}

export class Members {
  private readonly client: Client
  private readonly log: Logger
  private readonly servedGuild: (id: string) => boolean
  private readonly cache = new TtlCache<ChatUser>({ max: LIMITS.maxMembers, ttlMs: LIMITS.memberTtlMs })

  constructor(client: Client, log: Logger, servedGuild: (id: string) => boolean) {
    this.client = client
    this.log = log
    this.servedGuild = servedGuild
  }

  /** From a member the event carried (fresh roles): used and cached. */
  fromMember(member: GuildMember): ChatUser {
    const user = chatUser(member.user, member)
    this.cache.set(`${member.guild.id}:${member.id}`, user)
    return user
  }

  /** The user in a guild; an `unknown` user (refused by every rule) when Discord cannot say. */
  async inGuild(guildId: string, user: Person, member?: GuildMember | null | unknown): Promise<ChatUser> {
    if (member instanceof GuildMember) return this.fromMember(member)
    const guild = this.client.guilds.cache.get(guildId)
    try {
      if (!guild) throw new Error(`guild ${guildId} is not cached`)
      return await this.cache.get(`${guildId}:${user.id}`, async () => chatUser(user, await guild.members.fetch({ user: user.id, force: true })))
    } catch (err) {
      this.log.warn({ err, userId: user.id, guildId }, "Discord member unavailable; the user counts as unknown (refused)")
      return { id: user.id, name: user.username, isBot: Boolean(user.bot), unknown: true }
    }
  }

  /** A DM's author: their roles in every served guild they are a member of (none is fine). */
  direct(user: Person): Promise<ChatUser> {
    return this.cache.get(`dm:${user.id}`, async () => {
      const groups: string[] = []
      for (const guild of this.servedGuilds()) {
        const member = await guild.members.fetch({ user: user.id, force: true }).catch(() => undefined)
        if (member) groups.push(...rolesOf(member))
      }
      return chatUser(user, undefined, [...new Set(groups)])
    })
  }

  private servedGuilds(): Guild[] {
    return [...this.client.guilds.cache.values()].filter((g) => this.servedGuild(g.id))
  }
}
