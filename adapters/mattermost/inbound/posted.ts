// A post (live `posted` event or recovered after a reconnect) → MessageEvent: skips the bot's own
// posts and system posts; resolves thread, mention, author and attached files. Bots and webhook
// posts are reported as such (`isBot`, `webhook`): whether they may prompt is the core's rule.
import type { FileInfo } from "@mattermost/types/files"
import type { Post } from "@mattermost/types/posts"
import type { ChatFile, ChatUser, MessageEvent, Space } from "../../../src/chat/types.ts"
import type { Logger } from "../../../src/log/logger.ts"
import type { ChannelInfo } from "../channels.ts"
import { encodeMessage, PLATFORM, threadOfPost } from "../refs.ts"
import type { Rest } from "../rest.ts"
import type { Profiles } from "../users.ts"

export interface InboundDeps {
  me: { id: string; username: string }
  users: Profiles
  rest: Rest
  log: Logger
}

export interface Posted {
  post: Post
  channel: ChannelInfo
  /** User ids the server says the post mentions (live events only). */
  mentions?: string[]
}

function parseJson(text: unknown): unknown {
  if (typeof text !== "string") return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The `posted` event's data: `post` and `mentions` are JSON strings; channel facts ride along. */
export function parsePosted(data: Record<string, unknown>): Posted | undefined {
  const post = parseJson(data.post) as Post | undefined
  if (!post || typeof post.id !== "string" || typeof post.channel_id !== "string") return undefined
  const mentions = parseJson(data.mentions)
  return {
    post,
    channel: {
      id: post.channel_id,
      teamId: typeof data.team_id === "string" ? data.team_id : "",
      type: typeof data.channel_type === "string" ? data.channel_type : "",
      name: typeof data.channel_name === "string" ? data.channel_name : "",
    },
    ...(Array.isArray(mentions) ? { mentions: mentions.map(String) } : {}),
  }
}

/** Why a post is none of the core's business (checked before any request), or undefined. */
export function skipReason(post: Post, botId: string): string | undefined {
  if (post.user_id === botId && !isWebhookPost(post)) return "own post"
  if (post.type) return `system post (${post.type})`
  if (post.delete_at) return "deleted"
  return undefined
}

/** Incoming-webhook posts run under their owner's account: they are never that person speaking. */
export function isWebhookPost(post: Post): boolean {
  return post.props?.from_webhook === "true" || post.props?.from_webhook === true
}

/** Who a webhook post is from: the webhook (`webhook:<owner id>`), a bot as far as access goes. */
function webhookUser(post: Post): ChatUser {
  const name = typeof post.props?.override_username === "string" && post.props.override_username ? post.props.override_username : undefined
  return { id: `webhook:${post.user_id}`, ...(name ? { name, displayName: name } : {}), isBot: true, webhook: true }
}

/** O/P channels, D direct messages, G group messages. */
export function spaceOf(type: string): Space {
  return type === "D" ? "direct" : type === "G" ? "group" : "channel"
}

/** Removes `@username` (and a following `,` or `:`) wherever it is a whole mention. */
export function stripMention(text: string, username: string): { text: string; found: boolean } {
  const name = username.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  const re = new RegExp(`(?<![\\w@])@${name}(?![\\w-]|\\.\\w)[,:]?[ \\t]*`, "gi")
  const stripped = text.replace(re, "")
  return { text: stripped.trim(), found: stripped !== text }
}

const BROADCAST = /(?<![\w@])@(channel|all|here)(?![\w-])/i

/**
 * The server's mention list counts `@channel`/`@all`/`@here` for every member, bots included; a
 * channel-wide shout is not a request to the bot, so the list counts only without one.
 */
function listMentions(mentions: string[], botId: string, text: string): boolean {
  return mentions.includes(botId) && !BROADCAST.test(text)
}

/** The acting user; when the profile cannot be read, an `unknown` user every access rule refuses. */
export async function userOf(deps: InboundDeps, id: string): Promise<ChatUser> {
  try {
    return await deps.users.get(id)
  } catch (err) {
    deps.log.warn({ err, userId: id }, "profile unavailable; the user counts as unknown (refused)")
    return { id, isBot: false, unknown: true }
  }
}

function chatFile(rest: Rest, info: FileInfo): ChatFile {
  return {
    id: info.id,
    name: info.name,
    mime: info.mime_type || "application/octet-stream",
    size: info.size,
    fetch: ({ maxBytes, signal }) => rest.bytes(`download file ${info.id} (${info.name})`, rest.client.getFileUrl(info.id, 0), maxBytes, signal),
  }
}

async function filesOf(deps: InboundDeps, post: Post): Promise<ChatFile[]> {
  const known = new Map((post.metadata?.files ?? []).map((f) => [f.id, f]))
  const files = await Promise.all(
    (post.file_ids ?? []).map(async (id) => {
      try {
        const info = known.get(id) ?? (await deps.rest.get<FileInfo>(`read file info ${id}`, `${deps.rest.client.getFileRoute(id)}/info`))
        return chatFile(deps.rest, info)
      } catch (err) {
        deps.log.warn({ err, fileId: id, postId: post.id }, "attached file left out: its info is unavailable")
        return undefined
      }
    }),
  )
  return files.filter((f) => f !== undefined)
}

/** The MessageEvent for a post (bots and webhooks included, marked as such). */
export async function toMessageEvent(deps: InboundDeps, { post, channel, mentions }: Posted): Promise<MessageEvent> {
  const user = isWebhookPost(post) ? webhookUser(post) : await userOf(deps, post.user_id)
  const space = spaceOf(channel.type)
  const direct = space === "direct"
  const { text, found } = stripMention(post.message ?? "", deps.me.username)
  const thread = threadOfPost(post, channel)
  return {
    kind: "message",
    platform: PLATFORM,
    workspace: channel.teamId,
    channel: channel.id,
    ...(channel.name ? { channelName: channel.name } : {}),
    space,
    thread: thread.ref,
    user,
    id: post.id,
    at: post.create_at,
    message: encodeMessage({ channel: channel.id, post: post.id }),
    text,
    files: await filesOf(deps, post),
    mentioned: found || direct || (mentions !== undefined && listMentions(mentions, deps.me.id, post.message ?? "")),
    threadStart: thread.start,
  }
}
