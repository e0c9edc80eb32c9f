// Reactions: add (an upsert, like the real server), remove, list. A reaction marks its post
// `has_reactions` and bumps `update_at`, so `getPostsSince` sees it; `reaction_added` and
// `reaction_removed` carry the reaction as a JSON string.
import { livePost } from "./posts.ts"
import type { FakeState } from "./state.ts"
import { forbidden, MmError, now, type Reaction } from "./types.ts"

const EMOJI_NAME = /^[a-zA-Z0-9_+-]{1,64}$/

function announce(state: FakeState, event: "reaction_added" | "reaction_removed", r: Reaction): void {
  state.publish({
    event,
    data: { reaction: JSON.stringify(r) },
    broadcast: { omit_users: null, user_id: "", channel_id: r.channel_id, team_id: "" },
  })
  state.changed()
}

export function addReaction(state: FakeState, sessionUserId: string, userId: string, postId: string, emoji: string): Reaction {
  if (userId !== sessionUserId) throw forbidden(`user_id=${userId}`)
  if (!EMOJI_NAME.test(emoji)) {
    throw new MmError(400, "model.reaction.is_valid.emoji_name.app_error", "Invalid emoji name.", `emoji_name=${emoji}`)
  }
  const post = livePost(state, postId)
  state.requireRead(userId, post.channel_id)
  const list = state.reactions.get(postId) ?? []
  const existing = list.find((r) => r.user_id === userId && r.emoji_name === emoji)
  if (existing) return existing
  const t = now()
  const reaction: Reaction = {
    user_id: userId,
    post_id: postId,
    emoji_name: emoji,
    create_at: t,
    update_at: t,
    delete_at: 0,
    channel_id: post.channel_id,
    remote_id: "",
  }
  state.reactions.set(postId, [...list, reaction])
  post.has_reactions = true
  post.update_at = t
  announce(state, "reaction_added", reaction)
  return reaction
}

export function removeReaction(state: FakeState, sessionUserId: string, userId: string, postId: string, emoji: string): void {
  if (userId !== sessionUserId) throw forbidden(`user_id=${userId}`)
  const post = livePost(state, postId)
  const list = state.reactions.get(postId) ?? []
  const gone = list.find((r) => r.user_id === userId && r.emoji_name === emoji)
  if (!gone) return
  const rest = list.filter((r) => r !== gone)
  state.reactions.set(postId, rest)
  const t = now()
  post.has_reactions = rest.length > 0
  post.update_at = t
  announce(state, "reaction_removed", { ...gone, delete_at: t, update_at: t })
}

export const reactionsFor = (state: FakeState, postId: string): Reaction[] =>
  structuredClone(state.reactions.get(postId) ?? [])
