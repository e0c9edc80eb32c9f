// What the adapter knows about channels: type, team and name (cached; they do not change in ways
// that matter here), the bot's channels across its teams, and which places it serves: the
// `channels` allow-list, the configured team — which direct and group messages are held to as
// well (their sender must be a member of the team).
import type { Channel } from "@mattermost/types/channels"
import type { Team } from "@mattermost/types/teams"
import { isChatError } from "../../src/chat/errors.ts"
import { TtlCache } from "../../src/chat/ttl-cache.ts"
import { LIMITS } from "./limits.ts"
import type { Rest } from "./rest.ts"

export interface ChannelInfo {
  id: string
  /** "" for direct and group messages. */
  teamId: string
  /** O public, P private, D direct, G group. */
  type: string
  name: string
}

export const channelInfo = (c: Pick<Channel, "id" | "team_id" | "type" | "name">): ChannelInfo => ({
  id: c.id,
  teamId: c.team_id,
  type: c.type,
  name: c.name,
})

export class Channels {
  private readonly rest: Rest
  private readonly allow: Set<string>
  private readonly cache = new Map<string, ChannelInfo>()
  /** When set, only this team's channels are served, and DMs from its members. */
  private team: string | undefined
  private readonly memberships = new TtlCache<{ member: boolean }>({ max: LIMITS.maxProfiles, ttlMs: LIMITS.profileTtlMs })

  /** `allow`: channel ids or names (`~name` accepted); empty = every channel. */
  constructor(rest: Rest, allow: string[]) {
    this.rest = rest
    this.allow = new Set(allow.map((c) => c.trim().replace(/^~/, "")).filter(Boolean))
  }

  /**
   * Channels: when they belong to the configured team (if any) and are listed by id or name (or
   * there is no list). Direct and group messages: here; `serves` also checks their sender.
   */
  allowed(c: ChannelInfo): boolean {
    if (c.type === "D" || c.type === "G") return true
    if (this.team !== undefined && c.teamId !== this.team) return false
    return this.allow.size === 0 || this.allow.has(c.id) || this.allow.has(c.name)
  }

  /** Whether an event by `userId` in `c` is served: `allowed`, and for DMs a team member when a team is configured. */
  async serves(c: ChannelInfo, userId: string): Promise<boolean> {
    if (!this.allowed(c)) return false
    if ((c.type !== "D" && c.type !== "G") || this.team === undefined) return true
    return this.inTeam(userId)
  }

  /** The configured team's id, once resolved. */
  get teamId(): string | undefined {
    return this.team
  }

  private async inTeam(userId: string): Promise<boolean> {
    const found = await this.memberships.get(userId, async () => {
      try {
        await this.rest.get(`check that user ${userId} is in the team`, `${this.rest.client.getTeamRoute(this.team!)}/members/${userId}`)
        return { member: true }
      } catch (err) {
        if (!isChatError(err, "not_found") && !isChatError(err, "forbidden")) throw err
        return { member: false }
      }
    })
    return found.member
  }

  /** Restricts the served channels to one team, given by id or name; throws if the bot is not in it. */
  async restrictToTeam(team: string): Promise<void> {
    const teams = await this.rest.get<Team[]>("list the bot's teams", `${this.rest.client.getUserRoute("me")}/teams`)
    const found = teams.find((t) => t.id === team || t.name === team)
    if (!found) {
      throw new Error(`mattermost: the bot is not a member of team "${team}" (its teams: ${teams.map((t) => t.name).join(", ") || "none"}). Add it to the team or fix mattermost.team.`)
    }
    this.team = found.id
  }

  remember(c: ChannelInfo): ChannelInfo {
    this.cache.delete(c.id)
    this.cache.set(c.id, c)
    if (this.cache.size > LIMITS.maxChannels) this.cache.delete(this.cache.keys().next().value!)
    return c
  }

  async get(id: string): Promise<ChannelInfo> {
    const hit = this.cache.get(id)
    if (hit) return hit
    const c = await this.rest.get<Channel>(`read channel ${id}`, this.rest.client.getChannelRoute(id))
    return this.remember(channelInfo(c))
  }

  /** Every channel the bot is a member of, in all its teams, direct and group messages included. */
  async mine(): Promise<ChannelInfo[]> {
    const me = this.rest.client.getUserRoute("me")
    const teams = await this.rest.get<Team[]>("list the bot's teams", `${me}/teams`)
    const found = new Map<string, ChannelInfo>()
    for (const team of teams) {
      const list = await this.rest.get<Channel[]>(`list the bot's channels in team ${team.name}`, `${me}/teams/${team.id}/channels`)
      for (const c of list) if (!c.delete_at) found.set(c.id, this.remember(channelInfo(c)))
    }
    return [...found.values()]
  }
}
