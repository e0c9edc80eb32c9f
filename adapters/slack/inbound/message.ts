// A `message` or `app_mention` event → MessageEvent. Skips the bot's own messages, every edit
// (`message_changed`, whose `message` carries the editor: Bolt's self-filter misses the bot's
// own, test/harness/slack/README.md "Bolt") and every other subtype that is not something a person said. Resolves the
// thread (a top-level message roots a new thread on itself), the mention (stripped), who wrote
// (other bots and webhook posts marked `isBot`/`webhook`; an unreadable profile is `unknown`)
// and the attached files. Whether any of it may prompt is the core's rule.
import type { ChatUser, MessageEvent } from "../../../src/chat/types.ts"
import type { Logger } from "../../../src/log/logger.ts"
import { spaceOf, type ChannelInfo, type Channels } from "../channels.ts"
import type { Identity } from "../client.ts"
import { chatFiles, type WireFile } from "../files.ts"
import { encodeMessage, encodeThread, PLATFORM, tsToMs } from "../refs.ts"
import type { Profiles } from "../users.ts"

export interface InboundDeps {
  me: Identity
  users: Profiles
  channels: Channels
  /** The bot token (file downloads) and the API base (which hosts may receive it). */
  token: string
  apiUrl: string
  log: Logger
}

export interface WireMessage {
  type?: string
  subtype?: string
  hidden?: boolean
  channel?: string
  channel_type?: string
  user?: string
  bot_id?: string
  username?: string
  bot_profile?: { name?: string }
  text?: string
  ts?: string
  thread_ts?: string
  files?: WireFile[]
}

/** Subtypes that are a person (or another bot) saying something; everything else is housekeeping. */
const SPOKEN = new Set(["file_share", "thread_broadcast", "bot_message", "me_message"])

/** Why a message event is none of the core's business (checked before any request), or undefined. */
export function skipReason(e: WireMessage, me: Identity): string | undefined {
  if (!e.channel || !e.ts) return "no channel or ts"
  if (e.subtype && !SPOKEN.has(e.subtype)) return `subtype ${e.subtype}`
  if (e.hidden) return "hidden"
  if (e.user === me.userId || (me.botId && e.bot_id === me.botId)) return "own message"
  return undefined
}

/** Removes `<@UBOT>` / `<@UBOT|name>` mentions of the bot; `found` says whether there was one. */
export function stripMention(text: string, botUserId: string): { text: string; found: boolean } {
  const re = new RegExp(`<@${botUserId}(?:\\|[^>]*)?>[,:]?[ \\t]*`, "g")
  const stripped = text.replace(re, "")
  return { text: stripped.trim(), found: stripped !== text }
}

/** Slack escapes `&`, `<` and `>` in message text; the agent gets what the person typed. */
export function unescapeText(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&")
}

async function author(deps: InboundDeps, e: WireMessage): Promise<ChatUser> {
  if (e.user) {
    const user = await deps.users.userOf(e.user)
    return e.bot_id ? { ...user, isBot: true } : user
  }
  // No user at all: an integration or incoming webhook posting as a bot.
  const name = e.username ?? e.bot_profile?.name
  return { id: e.bot_id ?? "unknown-bot", ...(name ? { name, displayName: name } : {}), isBot: true, ...(e.subtype === "bot_message" ? { webhook: true } : {}) }
}

/** The MessageEvent for a message (bots and webhooks included, marked as such). */
export async function toMessageEvent(deps: InboundDeps, e: WireMessage, c: ChannelInfo, opts: { team: string; mention: boolean }): Promise<MessageEvent> {
  const ts = e.ts ?? ""
  const space = spaceOf(c.kind)
  const { text, found } = stripMention(e.text ?? "", deps.me.userId)
  return {
    kind: "message",
    platform: PLATFORM,
    workspace: opts.team,
    channel: c.id,
    ...(c.name ? { channelName: c.name } : {}),
    space,
    thread: encodeThread({ team: opts.team, channel: c.id, root: e.thread_ts ?? ts }),
    user: await author(deps, e),
    id: `${c.id}:${ts}`,
    at: tsToMs(ts),
    message: encodeMessage({ channel: c.id, ts }),
    text: unescapeText(text),
    files: chatFiles(e.files, deps.token, deps.apiUrl),
    mentioned: opts.mention || found || space === "direct",
    threadStart: !e.thread_ts,
  }
}

