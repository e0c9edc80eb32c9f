// MESSAGE_REACTION_ADD / _REMOVE → ReactionEvent on the reacted message, in that message's
// thread (a reaction on the message that started a session belongs to the session's thread).
// The bot's own reactions are ignored; the message may be uncached (partial), which is fine:
// only its id and channel are needed. Unicode emoji arrive as the character itself.
import type { MessageReaction, PartialMessageReaction, PartialUser, User } from "discord.js"
import type { ReactionEvent } from "../../../src/chat/types.ts"
import { channelById, placeOf, threadRefOf } from "../places.ts"
import { encodeMessage, PLATFORM } from "../refs.ts"
import type { InboundDeps } from "./message.ts"

export async function toReactionEvent(
  deps: InboundDeps,
  reaction: MessageReaction | PartialMessageReaction,
  person: User | PartialUser,
  added: boolean,
  now = Date.now(),
): Promise<ReactionEvent | undefined> {
  const botId = deps.client.user.id
  if (person.id === botId) return undefined
  const message = reaction.message
  const channel = message.channel ?? (await channelById(deps.client, message.channelId))
  const place = channel ? placeOf(channel) : undefined
  if (!place || !deps.places.serves(place)) return undefined
  const user = person.partial ? await person.fetch().catch(() => person) : person
  const author = message.partial ? undefined : message.author?.id
  const thread = place.kind === "text" ? (author === botId ? "" : message.id) : place.thread
  const emoji = reaction.emoji.name ?? reaction.emoji.id ?? "?"
  const who =
    place.kind === "dm"
      ? await deps.members.direct({ id: user.id, username: user.username ?? user.id, globalName: user.globalName ?? null, bot: Boolean(user.bot) })
      : await deps.members.inGuild(
          place.guild,
          { id: user.id, username: user.username ?? user.id, globalName: user.globalName ?? null, bot: Boolean(user.bot) },
          added ? message.guild?.members.cache.get(user.id) : undefined,
        )
  return {
    kind: "reaction",
    platform: PLATFORM,
    workspace: place.guild,
    channel: place.channel,
    ...(place.channelName ? { channelName: place.channelName } : {}),
    space: place.space,
    thread: threadRefOf(place, thread),
    user: who,
    id: `${message.id}:${user.id}:${emoji}:${added ? "+" : "-"}:${now}`,
    at: now,
    message: encodeMessage({ channel: message.channelId, message: message.id }),
    emoji,
    added,
  }
}
