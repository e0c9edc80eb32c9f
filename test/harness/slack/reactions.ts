// Emoji reactions on messages, for the bot (reactions.add/remove) and humans (test API) alike:
// Slack's errors (already_reacted, no_reaction, invalid_name) and the reaction_added /
// reaction_removed events.
import { emitReaction } from "./events.ts"
import type { FakeState } from "./state.ts"
import { SlackError, type Message } from "./types.ts"

const NAME = /^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/

function users(state: FakeState, m: Message, name: string): string[] {
  const key = `${m.channel}/${m.ts}`
  const byName = state.reactions.get(key) ?? new Map<string, string[]>()
  state.reactions.set(key, byName)
  const list = byName.get(name) ?? []
  byName.set(name, list)
  return list
}

export function addReaction(state: FakeState, userId: string, m: Message, rawName: string): void {
  const name = rawName.replace(/^:|:$/g, "")
  if (!NAME.test(name)) throw new SlackError("invalid_name")
  const list = users(state, m, name)
  if (list.includes(userId)) throw new SlackError("already_reacted")
  list.push(userId)
  emitReaction(state, "reaction_added", userId, name, m)
  state.changed()
}

export function removeReaction(state: FakeState, userId: string, m: Message, rawName: string): void {
  const name = rawName.replace(/^:|:$/g, "")
  const byName = state.reactions.get(`${m.channel}/${m.ts}`)
  const list = byName?.get(name)
  if (!byName || !list?.includes(userId)) throw new SlackError("no_reaction")
  list.splice(list.indexOf(userId), 1)
  if (list.length === 0) byName.delete(name)
  emitReaction(state, "reaction_removed", userId, name, m)
  state.changed()
}
