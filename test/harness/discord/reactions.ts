// Reactions for every reactor (the bot through REST, humans through test hooks): add and remove
// one user's emoji on a message, announced as MESSAGE_REACTION_ADD / _REMOVE. Unicode emoji
// must look like emoji (non-ASCII); custom emoji are written `name:id` (unknown ones → 10014).
import { errors } from "./errors.ts"
import { intentFor } from "./intents.ts"
import { emojiWire, memberWire } from "./payloads.ts"
import type { FakeState, ReactionRecord } from "./state.ts"
import type { Json, MessageRecord } from "./types.ts"

/** Normalises an emoji from a path or a test: `<:name:id>`/`name:id` → `name:id`, unicode as is. */
export function normaliseEmoji(emoji: string): string {
  const custom = /^<?a?:?([\w~]+):(\d{17,20})>?$/.exec(emoji)
  if (custom) throw errors.unknownEmoji() // the fake's guilds have no custom emoji (README "Not modelled")
  if (!/[^\x00-\x7f]/.test(emoji)) throw errors.unknownEmoji()
  return emoji
}

function announce(state: FakeState, t: "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE", rec: MessageRecord, userId: string, emoji: string): void {
  const channel = state.requireChannel(rec.wire.channel_id)
  const d: Json = { user_id: userId, channel_id: channel.id, message_id: rec.wire.id, emoji: emojiWire(emoji), burst: false, type: 0 }
  if (channel.guild_id) {
    d.guild_id = channel.guild_id
    const member = state.member(channel.guild_id, userId)
    if (t === "MESSAGE_REACTION_ADD" && member) d.member = memberWire(state, member)
  }
  if (t === "MESSAGE_REACTION_ADD") {
    d.message_author_id = rec.wire.author.id
    d.burst_colors = []
  }
  state.dispatch({ t, d, intent: intentFor(t, !channel.guild_id), contentGated: false })
}

/** Adds a reaction; adding one that exists is a no-op (the REST call still answers 204). */
export function addReaction(state: FakeState, rec: MessageRecord, userId: string, emoji: string): void {
  const key = normaliseEmoji(emoji)
  const byEmoji = state.reactions.get(rec.wire.id) ?? new Map<string, string[]>()
  state.reactions.set(rec.wire.id, byEmoji)
  const users = byEmoji.get(key) ?? []
  if (users.includes(userId)) return
  byEmoji.set(key, [...users, userId])
  announce(state, "MESSAGE_REACTION_ADD", rec, userId, key)
  state.changed()
}

export function removeReaction(state: FakeState, rec: MessageRecord, userId: string, emoji: string): void {
  const key = normaliseEmoji(emoji)
  const byEmoji = state.reactions.get(rec.wire.id)
  const users = byEmoji?.get(key) ?? []
  if (!users.includes(userId)) return
  const rest = users.filter((u) => u !== userId)
  if (rest.length) byEmoji!.set(key, rest)
  else byEmoji!.delete(key)
  announce(state, "MESSAGE_REACTION_REMOVE", rec, userId, key)
  state.changed()
}

export function reactionsOf(state: FakeState, rec: MessageRecord): ReactionRecord[] {
  return [...(state.reactions.get(rec.wire.id) ?? [])].map(([emoji, userIds]) => ({
    messageId: rec.wire.id,
    channelId: rec.wire.channel_id,
    emoji,
    userIds: [...userIds],
  }))
}
