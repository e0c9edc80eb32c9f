// Where something happened and whether the relay serves it: a DM, a text channel's top level, a
// thread (its parent is the channel access rules see), or a forum post (a thread whose starter
// message has the thread's id). The `guilds` and `channels` allow-lists (ids or names; threads
// follow their parent) are resolved here once the gateway is ready.
import { ChannelType, type Channel, type Client } from "discord.js"
import type { Space } from "../../src/chat/types.ts"
import { encodeThread } from "./refs.ts"

export interface Place {
  /** "" for DMs. */
  guild: string
  /** The text/forum channel, or the DM channel. */
  channel: string
  channelName?: string
  /** The thread's id; "" at a channel's top level and in DMs. */
  thread: string
  kind: "dm" | "text" | "thread" | "forum"
  space: Space
}

const TEXT = new Set<ChannelType>([ChannelType.GuildText, ChannelType.GuildAnnouncement])
const THREAD = new Set<ChannelType>([ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread])
const FORUM = new Set<ChannelType>([ChannelType.GuildForum, ChannelType.GuildMedia])

/** The place of a channel; undefined for channels the relay never works in (voice, stage, categories). */
export function placeOf(channel: Channel): Place | undefined {
  if (channel.type === ChannelType.DM) return { guild: "", channel: channel.id, thread: "", kind: "dm", space: "direct" }
  if (TEXT.has(channel.type) && "guildId" in channel) {
    return { guild: channel.guildId, channel: channel.id, channelName: channel.name, thread: "", kind: "text", space: "channel" }
  }
  if (THREAD.has(channel.type) && channel.isThread()) {
    const parent = channel.parent
    const forum = parent ? FORUM.has(parent.type) : false
    return {
      guild: channel.guildId,
      channel: channel.parentId ?? channel.id,
      ...(parent?.name ? { channelName: parent.name } : {}),
      thread: channel.id,
      kind: forum ? "forum" : "thread",
      space: "channel",
    }
  }
  return undefined
}

export const threadRefOf = (p: Place, thread = p.thread) => encodeThread({ guild: p.guild, channel: p.channel, thread })

/** The channel for an id: from the cache, else read over REST (threads and DMs the cache never saw). */
export async function channelById(client: Client, id: string): Promise<Channel | undefined> {
  return client.channels.cache.get(id) ?? (await client.channels.fetch(id).catch(() => null)) ?? undefined
}

const norm = (s: string) => s.trim().replace(/^#/, "").toLowerCase()

export class Places {
  private readonly guildWanted: string[]
  private readonly channelWanted: Set<string>
  /** Resolved guild ids; undefined = every guild. */
  private guildIds: Set<string> | undefined

  constructor(guilds: string[] = [], channels: string[] = []) {
    this.guildWanted = guilds.map((g) => g.trim()).filter(Boolean)
    this.channelWanted = new Set(channels.map(norm).filter(Boolean))
  }

  /** Turns guild names into ids; throws when the bot is not in a configured guild. */
  resolveGuilds(client: Client): void {
    if (this.guildWanted.length === 0) return
    const guilds = [...client.guilds.cache.values()]
    const ids = new Set<string>()
    for (const want of this.guildWanted) {
      const found = guilds.find((g) => g.id === want || g.name.toLowerCase() === want.toLowerCase())
      if (!found) {
        const names = guilds.map((g) => g.name).join(", ") || "none"
        throw new Error(`discord: the bot is not in the server "${want}" (its servers: ${names}). Invite it (see \`switchboard doctor\`) or fix discord.guilds.`)
      }
      ids.add(found.id)
    }
    this.guildIds = ids
  }

  guildServed(guildId: string): boolean {
    return !this.guildIds || this.guildIds.has(guildId)
  }

  /** DMs always; guild places when their guild and (parent) channel are allowed. */
  serves(p: Place): boolean {
    if (p.kind === "dm") return true
    if (!this.guildServed(p.guild)) return false
    if (this.channelWanted.size === 0) return true
    return this.channelWanted.has(p.channel) || (p.channelName !== undefined && this.channelWanted.has(p.channelName.toLowerCase()))
  }

  /** The configured channel entries (ids or names), for doctor. */
  get channelEntries(): string[] {
    return [...this.channelWanted]
  }
}
