// A note only one person should read, outside an interaction (a refused prompt, a full queue):
// Discord has ephemeral messages only as answers to interactions, so the note goes by DM, naming
// the thread it is about. When the person accepts no DMs from the server (Discord answers 50007,
// forbidden), it becomes a reply in the thread that pings only them.
import { Routes, type APIChannel, type Client } from "discord.js"
import { isChatError } from "../../src/chat/errors.ts"
import type { ThreadRef } from "../../src/chat/types.ts"
import { call } from "./errors.ts"
import { NO_PINGS } from "./outbound.ts"
import { decodeThread, targetOf } from "./refs.ts"

export async function privateNote(client: Client, thread: ThreadRef, userId: string, text: string): Promise<void> {
  const t = decodeThread(thread)
  const target = targetOf(t)
  const post = (what: string, channel: string, body: object) => call(what, () => client.rest.post(Routes.channelMessages(channel), { body }))
  if (!t.guild) {
    await post(`note in DM ${target}`, target, { content: text, allowed_mentions: NO_PINGS })
    return
  }
  // A thread start nobody opened (e.g. a refused request) is no channel yet: point at its message.
  const opened = !t.thread || client.channels.cache.has(t.thread)
  try {
    const dm = (await call(`open a DM with user ${userId}`, () => client.rest.post(Routes.userChannels(), { body: { recipient_id: userId } }))) as APIChannel
    const about = opened ? `<#${target}>` : `https://discord.com/channels/${t.guild}/${t.channel}/${t.thread}`
    await post(`note in DM with user ${userId}`, dm.id, { content: `${text}\n-# about ${about}`, allowed_mentions: NO_PINGS })
  } catch (err) {
    if (!isChatError(err, "forbidden")) throw err
    const body = {
      content: `<@${userId}> ${text}`,
      allowed_mentions: { parse: [], users: [userId] },
      ...(opened ? {} : { message_reference: { message_id: t.thread, fail_if_not_exists: false } }),
    }
    await post(`note for user ${userId} in channel ${opened ? target : t.channel}`, opened ? target : t.channel, body)
  }
}
