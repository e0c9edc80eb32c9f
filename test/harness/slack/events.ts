// Events API payloads as Slack sends them: the stored message in its wire shape (also what
// conversations.history/replies return), and the `event_callback` wrappers for new messages
// (plus `app_mention` when the bot is mentioned: two events, two event_ids, one ts), edits
// (`message_changed`), deletions (`message_deleted`) and reactions. An event goes out only if
// the bot is in the channel and holds the scope that subscription needs.
import { fileObject } from "./files.ts"
import type { FakeState } from "./state.ts"
import { newId, nextTs, type Channel, type Json, type Message } from "./types.ts"

/** `<@U123>` or `<@U123|name>` mentions of `userId` in `text`. */
export const mentions = (text: string, userId: string) => new RegExp(`<@${userId}(\\|[^>]*)?>`).test(text)

/** A human message's `rich_text` block, the way Slack clients send one (text and user mentions). */
export function richTextBlock(text: string): Json {
  const elements: Json[] = []
  let last = 0
  for (const m of text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)) {
    if (m.index > last) elements.push({ type: "text", text: text.slice(last, m.index) })
    elements.push({ type: "user", user_id: m[1] })
    last = m.index + m[0].length
  }
  if (last < text.length) elements.push({ type: "text", text: text.slice(last) })
  return { type: "rich_text", block_id: newId("", 5).toLowerCase(), elements: [{ type: "rich_text_section", elements }] }
}

/** The message object of the Web API and of events. */
export function wireMessage(state: FakeState, m: Message): Json {
  const out: Json = { type: "message", user: m.user, text: m.text, ts: m.ts, team: state.team.id }
  if (m.subtype) out.subtype = m.subtype
  if (m.clientMsgId) out.client_msg_id = m.clientMsgId
  if (m.botId) {
    out.bot_id = m.botId
    if (m.botId === state.bot.botId) {
      out.app_id = state.bot.appId
      out.bot_profile = { id: m.botId, app_id: state.bot.appId, name: state.bot.name, deleted: false, team_id: state.team.id }
    }
  }
  if (m.blocks.length > 0) out.blocks = structuredClone(m.blocks)
  if (m.attachments.length > 0) out.attachments = structuredClone(m.attachments)
  if (m.metadata) out.metadata = structuredClone(m.metadata)
  if (m.edited) out.edited = { ...m.edited }
  if (m.fileIds.length > 0) {
    out.files = m.fileIds.flatMap((id) => {
      const f = state.files.get(id)
      return f ? [fileObject(state, f)] : []
    })
    out.upload = m.botId === undefined
    out.display_as_bot = false
  }
  if (m.threadTs) {
    out.thread_ts = m.threadTs
    out.parent_user_id = state.message(m.channel, m.threadTs)?.user
  }
  const replies = state.repliesTo(m)
  if (replies.length > 0) {
    out.thread_ts = m.ts
    out.reply_count = replies.length
    out.reply_users = [...new Set(replies.map((r) => r.user))]
    out.reply_users_count = (out.reply_users as string[]).length
    out.latest_reply = replies.at(-1)?.ts
  }
  const reactions = state.reactions.get(`${m.channel}/${m.ts}`)
  if (reactions && reactions.size > 0) {
    out.reactions = [...reactions].map(([name, users]) => ({ name, users: [...users], count: users.length }))
  }
  return out
}

const EVENT_SCOPE: Record<ReturnType<FakeState["channelType"]>, string> = {
  channel: "channels:history",
  group: "groups:history",
  im: "im:history",
  mpim: "mpim:history",
}

function callback(state: FakeState, event: Json): Json {
  return {
    token: "fake-verification-token",
    team_id: state.team.id,
    context_team_id: state.team.id,
    context_enterprise_id: null,
    api_app_id: state.bot.appId,
    event,
    type: "event_callback",
    event_id: newId("Ev"),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: state.team.id, user_id: state.bot.userId, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${newId("", 24).toLowerCase()}`,
  }
}

/** Sends one event if the bot may see it (member of the channel, scope granted). */
function send(state: FakeState, channel: Channel, scope: string, event: Json): void {
  if (!channel.members.has(state.bot.userId) || !state.hasScope(scope)) return
  state.emitEvent(callback(state, event))
}

/** A new message: `app_mention` first when a human mentions the bot outside a DM, then `message`. */
export function emitPosted(state: FakeState, m: Message): void {
  const channel = state.channels.get(m.channel)
  if (!channel) return
  const wire = wireMessage(state, m)
  const channelType = state.channelType(channel)
  if (m.user !== state.bot.userId && channel.type !== "im" && mentions(m.text, state.bot.userId)) {
    const mention: Json = { ...wire, type: "app_mention", channel: m.channel, event_ts: m.ts }
    delete mention.subtype
    send(state, channel, "app_mentions:read", mention)
  }
  const message: Json = { ...wire, channel: m.channel, event_ts: m.ts, channel_type: channelType }
  if (m.threadTs && m.replyBroadcast) message.subtype = "thread_broadcast"
  send(state, channel, EVENT_SCOPE[channelType], message)
}

/** An edit (human or bot): `message_changed`, whose `message` carries the editor's user/bot_id. */
export function emitChanged(state: FakeState, m: Message, previous: Json): void {
  const channel = state.channels.get(m.channel)
  if (!channel) return
  const ts = nextTs()
  const channelType = state.channelType(channel)
  send(state, channel, EVENT_SCOPE[channelType], {
    type: "message",
    subtype: "message_changed",
    hidden: true,
    message: wireMessage(state, m),
    previous_message: previous,
    channel: m.channel,
    ts,
    event_ts: ts,
    channel_type: channelType,
  })
}

export function emitDeleted(state: FakeState, m: Message, previous: Json): void {
  const channel = state.channels.get(m.channel)
  if (!channel) return
  const ts = nextTs()
  const channelType = state.channelType(channel)
  send(state, channel, EVENT_SCOPE[channelType], {
    type: "message",
    subtype: "message_deleted",
    hidden: true,
    deleted_ts: m.ts,
    previous_message: previous,
    channel: m.channel,
    ts,
    event_ts: ts,
    channel_type: channelType,
  })
}

export function emitReaction(state: FakeState, type: "reaction_added" | "reaction_removed", userId: string, name: string, m: Message): void {
  const channel = state.channels.get(m.channel)
  if (!channel) return
  send(state, channel, "reactions:read", {
    type,
    user: userId,
    reaction: name,
    item_user: m.user,
    item: { type: "message", channel: m.channel, ts: m.ts },
    event_ts: nextTs(),
  })
}
