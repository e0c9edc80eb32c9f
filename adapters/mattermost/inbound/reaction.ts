// `reaction_added` / `reaction_removed` → ReactionEvent on the reacted post, in that post's thread.
// The bot's own reactions are ignored.
import type { Post } from "@mattermost/types/posts"
import type { Reaction } from "@mattermost/types/reactions"
import type { ReactionEvent } from "../../../src/chat/types.ts"
import type { ChannelInfo } from "../channels.ts"
import { encodeMessage, PLATFORM, threadOfPost } from "../refs.ts"
import { spaceOf, userOf, type InboundDeps } from "./posted.ts"

/** A reaction as the events carry it (the typings leave out these server fields). */
export type WireReaction = Reaction & { channel_id?: string; update_at?: number; delete_at?: number }

/** The event's `reaction` is a JSON string. */
export function parseReaction(data: Record<string, unknown>): WireReaction | undefined {
  if (typeof data.reaction !== "string") return undefined
  try {
    const r = JSON.parse(data.reaction) as WireReaction
    return typeof r.post_id === "string" && typeof r.user_id === "string" && typeof r.emoji_name === "string" ? r : undefined
  } catch {
    return undefined
  }
}

/** `post` is the reacted post (fetched by the caller), `channel` its channel. */
export async function toReactionEvent(
  deps: InboundDeps,
  reaction: WireReaction,
  added: boolean,
  post: Post,
  channel: ChannelInfo,
): Promise<ReactionEvent | undefined> {
  if (reaction.user_id === deps.me.id) return undefined
  const user = await userOf(deps, reaction.user_id)
  const at = added ? reaction.create_at : reaction.delete_at || reaction.update_at || Date.now()
  return {
    kind: "reaction",
    platform: PLATFORM,
    workspace: channel.teamId,
    channel: channel.id,
    ...(channel.name ? { channelName: channel.name } : {}),
    space: spaceOf(channel.type),
    thread: threadOfPost(post, channel).ref,
    user,
    id: `${post.id}:${reaction.user_id}:${reaction.emoji_name}:${added ? "+" : "-"}:${at}`,
    at,
    message: encodeMessage({ channel: channel.id, post: post.id }),
    emoji: reaction.emoji_name,
    added,
  }
}
