// What the adapter knows about conversations: kind (channel, private channel, DM, group DM) and
// name from conversations.info (cached; a failed read leaves the name unknown, never the event
// dropped), which ones it serves (the `channels` allow-list by id or name; DMs always), and
// channel names resolved to ids for access rules (conversations.list, read once per TTL).
import { isChatError } from "../../src/chat/errors.ts"
import type { Space } from "../../src/chat/types.ts"
import { TtlCache } from "../../src/chat/ttl-cache.ts"
import type { Logger } from "../../src/log/logger.ts"
import type { Api } from "./api.ts"
import { LIMITS } from "./limits.ts"

/** Slack's `channel_type` of message events. */
export type ChannelKind = "channel" | "group" | "im" | "mpim"

export interface ChannelInfo {
  id: string
  kind: ChannelKind
  /** Undefined for DMs, and when Slack would not say (missing channels:read / groups:read). */
  name?: string
}

export function spaceOf(kind: ChannelKind): Space {
  return kind === "im" ? "direct" : kind === "mpim" ? "group" : "channel"
}

/** A best guess from the id alone (D… is a DM); used only when conversations.info fails. */
const kindOfId = (id: string): ChannelKind => (id.startsWith("D") ? "im" : "channel")

interface Conversation {
  id?: string
  name?: string
  is_im?: boolean
  is_mpim?: boolean
  is_private?: boolean
}

const kindOf = (c: Conversation): ChannelKind => (c.is_im ? "im" : c.is_mpim ? "mpim" : c.is_private ? "group" : "channel")
const norm = (name: string) => name.trim().replace(/^#/, "").toLowerCase()

export class Channels {
  private readonly api: Api
  private readonly log: Logger
  private readonly allow: Set<string>
  private readonly cache = new TtlCache<ChannelInfo>({ max: LIMITS.maxChannels, ttlMs: LIMITS.channelTtlMs })
  private readonly directory = new TtlCache<Map<string, string>>({ max: 1, ttlMs: LIMITS.directoryTtlMs })

  /** `allow`: channel ids or names (`#name` accepted); empty = every channel the bot is in. */
  constructor(api: Api, allow: readonly string[], log: Logger) {
    this.api = api
    this.log = log
    this.allow = new Set(allow.map(norm).filter(Boolean))
  }

  /** Channels when listed by id or name (or no list); DMs and group DMs always. */
  allowed(c: ChannelInfo): boolean {
    if (c.kind === "im" || c.kind === "mpim" || this.allow.size === 0) return true
    return this.allow.has(c.id.toLowerCase()) || (c.name !== undefined && this.allow.has(norm(c.name)))
  }

  /** The conversation; `hint` is the event's `channel_type` (DMs need no read). */
  async get(id: string, hint?: string): Promise<ChannelInfo> {
    if (hint === "im" || hint === "mpim") return { id, kind: hint }
    const hit = this.cache.peek(id)
    if (hit) return hit
    try {
      return await this.cache.get(id, async () => {
        const res = await this.api.read<{ channel?: Conversation }>(`read channel ${id}`, "conversations.info", { channel: id })
        const c = res.channel ?? {}
        const kind = kindOf(c)
        return { id, kind, ...(kind !== "im" && c.name ? { name: c.name } : {}) }
      })
    } catch (err) {
      this.log.warn({ err, channel: id }, "channel facts unavailable (conversations.info); its name is unknown")
      const kind: ChannelKind = hint === "group" || hint === "channel" ? hint : kindOfId(id)
      return { id, kind }
    }
  }

  /** A channel id by name (public, and private ones the bot is in), or undefined. */
  async byName(name: string): Promise<string | undefined> {
    const names = await this.directory.get("all", () => this.readDirectory())
    return names.get(norm(name))
  }

  private async readDirectory(): Promise<Map<string, string>> {
    const names = new Map<string, string>()
    let types = "public_channel,private_channel"
    let cursor: string | undefined
    for (let page = 0; page < LIMITS.directoryMaxPages; page++) {
      const args = () => ({ types, exclude_archived: true, limit: LIMITS.directoryPageSize, ...(cursor ? { cursor } : {}) })
      let res: { channels?: Conversation[]; response_metadata?: { next_cursor?: string } }
      try {
        res = await this.api.read("list channels (conversations.list)", "conversations.list", args())
      } catch (err) {
        // Without groups:read Slack refuses private_channel: list the public ones.
        if (!isChatError(err, "forbidden") || types === "public_channel" || cursor) throw err
        types = "public_channel"
        res = await this.api.read("list channels (conversations.list)", "conversations.list", args())
      }
      for (const c of res.channels ?? []) if (c.id && c.name) names.set(norm(c.name), c.id)
      cursor = res.response_metadata?.next_cursor || undefined
      if (!cursor) break
    }
    return names
  }
}
