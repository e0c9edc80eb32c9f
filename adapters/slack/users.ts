// Who posted or clicked: Slack profiles (users.info) as ChatUsers, with the user groups they
// belong to as `groups` (ids and handles, from one usergroups.list with members, cached), and
// user names resolved to ids for access rules (users.list, read once per TTL). Bounded caches
// with single-flight loads (src/chat/ttl-cache.ts). Whether a user may act is the core's rule.
import type { ChatUser } from "../../src/chat/types.ts"
import { TtlCache } from "../../src/chat/ttl-cache.ts"
import type { Logger } from "../../src/log/logger.ts"
import type { Api } from "./api.ts"
import { LIMITS } from "./limits.ts"

interface SlackUser {
  id?: string
  name?: string
  real_name?: string
  deleted?: boolean
  is_bot?: boolean
  is_app_user?: boolean
  profile?: { display_name?: string; real_name?: string; email?: string }
}

interface UserGroup {
  id?: string
  handle?: string
  users?: string[]
}

export function toChatUser(u: SlackUser, groups: string[]): ChatUser {
  const display = u.profile?.display_name || u.profile?.real_name || u.real_name || u.name
  return {
    id: u.id ?? "",
    ...(u.name ? { name: u.name } : {}),
    ...(display ? { displayName: display } : {}),
    isBot: Boolean(u.is_bot || u.is_app_user),
    groups,
  }
}

export class Profiles {
  private readonly api: Api
  private readonly log: Logger
  private readonly cache = new TtlCache<ChatUser>({ max: LIMITS.maxProfiles, ttlMs: LIMITS.profileTtlMs })
  private readonly memberships = new TtlCache<Map<string, string[]>>({ max: 1, ttlMs: LIMITS.profileTtlMs })
  private readonly directory = new TtlCache<{ byName: Map<string, string>; byDisplay: Map<string, string[]> }>({ max: 1, ttlMs: LIMITS.directoryTtlMs })

  constructor(api: Api, log: Logger) {
    this.api = api
    this.log = log
  }

  /** The user's profile; throws a ChatError when Slack cannot say. */
  get(id: string): Promise<ChatUser> {
    return this.cache.get(id, async () => {
      const res = await this.api.read<{ user?: SlackUser }>(`read the profile of user ${id}`, "users.info", { user: id })
      if (!res.user?.id) throw new Error(`users.info returned no user for ${id}`)
      return toChatUser(res.user, await this.groupsOf(id))
    })
  }

  /** The acting user; when the profile cannot be read, an `unknown` user every access rule refuses. */
  async userOf(id: string): Promise<ChatUser> {
    try {
      return await this.get(id)
    } catch (err) {
      this.log.warn({ err, userId: id }, "profile unavailable; the user counts as unknown (refused)")
      return { id, isBot: false, unknown: true }
    }
  }

  /** The user's Slack user groups, ids and handles; [] when they cannot be read (usergroups:read missing). */
  private async groupsOf(id: string): Promise<string[]> {
    try {
      const all = await this.memberships.get("all", async () => {
        const res = await this.api.read<{ usergroups?: UserGroup[] }>("list user groups", "usergroups.list", { include_users: true })
        const byUser = new Map<string, string[]>()
        for (const g of res.usergroups ?? []) {
          for (const u of g.users ?? []) byUser.set(u, [...(byUser.get(u) ?? []), ...[g.id, g.handle].filter((x): x is string => Boolean(x))])
        }
        return byUser
      })
      return all.get(id) ?? []
    } catch (err) {
      this.log.warn({ err }, "user groups unavailable (usergroups:read?); access rules by group match nobody")
      this.memberships.set("all", new Map())
      return []
    }
  }

  /** A user id by username (`name`, `@name`) or, when unambiguous, display name. */
  async byName(name: string): Promise<string | undefined> {
    const dir = await this.directory.get("all", () => this.readDirectory())
    const key = name.trim().replace(/^@/, "").toLowerCase()
    const direct = dir.byName.get(key)
    if (direct) return direct
    const display = dir.byDisplay.get(key) ?? []
    if (display.length > 1) this.log.warn({ name, matches: display.length }, "several Slack users have this display name; use the user id")
    return display.length === 1 ? display[0] : undefined
  }

  private async readDirectory(): Promise<{ byName: Map<string, string>; byDisplay: Map<string, string[]> }> {
    const byName = new Map<string, string>()
    const byDisplay = new Map<string, string[]>()
    let cursor: string | undefined
    for (let page = 0; page < LIMITS.directoryMaxPages; page++) {
      const args = { limit: LIMITS.directoryPageSize, ...(cursor ? { cursor } : {}) }
      const res = await this.api.read<{ members?: SlackUser[]; response_metadata?: { next_cursor?: string } }>("list users (users.list)", "users.list", args)
      for (const u of res.members ?? []) {
        if (!u.id || u.deleted) continue
        if (u.name) byName.set(u.name.toLowerCase(), u.id)
        if (u.profile?.email) byName.set(u.profile.email.toLowerCase(), u.id)
        const display = u.profile?.display_name?.toLowerCase()
        if (display) byDisplay.set(display, [...(byDisplay.get(display) ?? []), u.id])
      }
      cursor = res.response_metadata?.next_cursor || undefined
      if (!cursor) break
    }
    return { byName, byDisplay }
  }
}
