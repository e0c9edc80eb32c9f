// Who posted or clicked: Mattermost profiles as ChatUsers (roles become groups), cached briefly
// and bounded, with concurrent look-ups of one user sharing a single request (src/chat/ttl-cache).
import type { UserProfile } from "@mattermost/types/users"
import type { ChatUser } from "../../src/chat/types.ts"
import { TtlCache } from "../../src/chat/ttl-cache.ts"
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
  private readonly cache = new TtlCache<ChatUser>({ max: LIMITS.maxProfiles, ttlMs: LIMITS.profileTtlMs })

  constructor(rest: Rest) {
    this.rest = rest
  }

  /** The user's profile; throws a ChatError when Mattermost cannot say. */
  get(id: string): Promise<ChatUser> {
    return this.cache.get(id, async () => toChatUser(await this.rest.get<UserProfile>(`read the profile of user ${id}`, this.rest.client.getUserRoute(id))))
  }
}
