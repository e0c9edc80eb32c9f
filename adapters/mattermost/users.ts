// Who posted or clicked: Mattermost profiles as ChatUsers (roles become groups), cached briefly
// and bounded, with concurrent look-ups of one user sharing a single request.
import type { UserProfile } from "@mattermost/types/users"
import type { ChatUser } from "../../src/chat/types.ts"
import { LIMITS } from "./limits.ts"
import type { Rest } from "./rest.ts"

export function toChatUser(p: UserProfile): ChatUser {
  const full = [p.first_name, p.last_name].filter(Boolean).join(" ")
  return {
    id: p.id,
    name: p.username,
    displayName: full || p.nickname || p.username,
    isBot: Boolean(p.is_bot),
    groups: (p.roles ?? "").split(" ").filter(Boolean),
  }
}

export class Profiles {
  private readonly rest: Rest
  private readonly now: () => number
  private readonly cache = new Map<string, { user: ChatUser; until: number }>()
  private readonly pending = new Map<string, Promise<ChatUser>>()

  constructor(rest: Rest, now: () => number = Date.now) {
    this.rest = rest
    this.now = now
  }

  /** The user's profile; throws a ChatError when Mattermost cannot say. */
  async get(id: string): Promise<ChatUser> {
    const hit = this.cache.get(id)
    if (hit && hit.until > this.now()) return hit.user
    const inFlight = this.pending.get(id)
    if (inFlight) return inFlight
    const load = this.rest
      .get<UserProfile>(`read the profile of user ${id}`, this.rest.client.getUserRoute(id))
      .then((profile) => {
        const user = toChatUser(profile)
        this.cache.delete(id)
        this.cache.set(id, { user, until: this.now() + LIMITS.profileTtlMs })
        if (this.cache.size > LIMITS.maxProfiles) this.cache.delete(this.cache.keys().next().value!)
        return user
      })
      .finally(() => this.pending.delete(id))
    this.pending.set(id, load)
    return load
  }
}
