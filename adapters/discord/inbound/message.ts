// A message (live MESSAGE_CREATE, replayed after a resume, or read from history after a gap) →
// MessageEvent. A top-level message in a text channel counts only when it mentions the bot (the
// user or its managed role): it announces the thread `openThread` will create on it. Messages in
// threads and forum posts belong to that thread; DMs are always addressed to the bot. The bot's
// own messages and system messages are skipped; other bots and webhooks are reported as such.
import { MessageType, type Channel, type Client, type Message } from "discord.js"
import type { MessageEvent } from "../../../src/chat/types.ts"
import type { Logger } from "../../../src/log/logger.ts"
import { chatFile } from "../files.ts"
import { channelById, placeOf, threadRefOf, type Place, type Places } from "../places.ts"
import { encodeMessage, PLATFORM } from "../refs.ts"
import type { Threads } from "../threads.ts"
import { webhookUser, type Members } from "../users.ts"

export interface InboundDeps {
  client: Client<true>
  members: Members
  places: Places
  threads: Threads
  log: Logger
}

/** What people write (plain and replies); thread and pin notices, command replies etc. are not prompts. */
const PROMPT_TYPES = new Set<MessageType>([MessageType.Default, MessageType.Reply])

/** Why a message is none of the core's business (checked before any request), or undefined. */
export function skipReason(message: Message, botId: string): string | undefined {
  if (message.author.id === botId) return "own message"
  if (!PROMPT_TYPES.has(message.type)) return `system message (type ${message.type})`
  return undefined
}

/** The bot's managed role in the message's guild (people often mention it instead of the bot). */
function botRoleId(message: Message): string | undefined {
  return message.guild?.members.me?.roles.botRole?.id
}

/** Removes mentions of the bot (`<@id>`, `<@!id>`, its role `<@&id>`) and a following `,` or `:`. */
export function stripMention(text: string, botId: string, roleId?: string): { text: string; found: boolean } {
  const ids = [`@!?${botId}`, ...(roleId ? [`@&${roleId}`] : [])].join("|")
  const re = new RegExp(`<(?:${ids})>[,:]?[ \\t]*`, "g")
  const stripped = text.replace(re, "")
  return { text: stripped.trim(), found: stripped !== text }
}

export function addressesBot(message: Message, botId: string): boolean {
  const role = botRoleId(message)
  return message.mentions.users.has(botId) || (role !== undefined && message.mentions.roles.has(role)) || stripMention(message.content, botId, role).found
}

/** The place of a message the relay serves and should hear, or why not. */
export async function placeFor(deps: InboundDeps, message: Message): Promise<Place | string> {
  const cached: Channel | undefined = message.channel ?? undefined
  const channel = !cached || cached.partial ? await channelById(deps.client, message.channelId) : cached
  const place = channel ? placeOf(channel) : undefined
  if (!place) return "not a text channel, thread or DM"
  if (!deps.places.serves(place)) return "channel not served"
  if (place.kind === "text" && !addressesBot(message, deps.client.user.id)) return "top-level message without a mention"
  return place
}

export async function toMessageEvent(deps: InboundDeps, message: Message, place: Place): Promise<MessageEvent> {
  const botId = deps.client.user.id
  const { text, found } = stripMention(message.content, botId, botRoleId(message))
  const start = place.kind === "text"
  const thread = threadRefOf(place, start ? message.id : place.thread)
  if (start) deps.threads.announce(thread, text)
  const user = message.webhookId
    ? webhookUser(message.webhookId, message.author)
    : place.kind === "dm"
      ? await deps.members.direct(message.author)
      : await deps.members.inGuild(place.guild, message.author, message.member)
  return {
    kind: "message",
    platform: PLATFORM,
    workspace: place.guild,
    channel: place.channel,
    ...(place.channelName ? { channelName: place.channelName } : {}),
    space: place.space,
    thread,
    user,
    id: message.id,
    at: message.createdTimestamp,
    message: encodeMessage({ channel: message.channelId, message: message.id }),
    text,
    files: [...message.attachments.values()].map(chatFile),
    mentioned: place.kind === "dm" || found || addressesBot(message, botId),
    threadStart: start,
  }
}
