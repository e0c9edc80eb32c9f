// Web API methods that write messages: chat.postMessage / update / delete / postEphemeral /
// getPermalink, the three stream methods, assistant.threads.setStatus and reactions.add/remove.
// Each validates like Slack (limits from ./limits.ts via ./blocks.ts) and answers its fields;
// `SlackError` becomes `{ok:false, error}`. chat.update keeps blocks that are not resent.
import type { MethodTable } from "./api.ts"
import { validateBlocks, validateText } from "./blocks.ts"
import { wireMessage } from "./events.ts"
import { bool, str } from "./http.ts"
import { LIMITS } from "./limits.ts"
import { addEphemeral, clearStatus, createMessage, deleteMessage, updateMessage, type MessagePatch } from "./messages.ts"
import { addReaction, removeReaction } from "./reactions.ts"
import type { FakeState } from "./state.ts"
import { appendStream, startStream, stopStream } from "./streams.ts"
import { SlackError, tsNumber, type Json } from "./types.ts"

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

/** `channel` may be a user id: chat.postMessage then posts in the bot's DM with that user. */
function targetChannel(state: FakeState, channel: unknown) {
  if (typeof channel === "string" && /^[UW]/.test(channel) && state.users.has(channel)) return state.dm(channel)
  return state.requireBotChannel(channel)
}

function content(args: Json): { text: string | undefined; blocks: Json[] | undefined; attachments: Json[] | undefined } {
  const text = str(args.text)
  if (args.blocks !== undefined && !Array.isArray(args.blocks)) throw new SlackError("invalid_blocks_format")
  if (args.attachments !== undefined && !Array.isArray(args.attachments)) throw new SlackError("invalid_attachments")
  validateText(text)
  validateBlocks(args.blocks)
  return { text, blocks: args.blocks as Json[] | undefined, attachments: args.attachments as Json[] | undefined }
}

function metadataOf(args: Json): Json | undefined {
  if (args.metadata === undefined) return undefined
  const m = args.metadata
  if (!isObject(m) || typeof m.event_type !== "string" || !isObject(m.event_payload)) throw new SlackError("invalid_metadata_format")
  return m
}

const hasContent = (c: ReturnType<typeof content>) => Boolean(c.text) || (c.blocks?.length ?? 0) > 0 || (c.attachments?.length ?? 0) > 0

function ownMessage(state: FakeState, args: Json, notMine: string) {
  const channel = state.requireChannel(args.channel)
  const m = state.requireMessage(channel.id, args.ts)
  if (m.user !== state.bot.userId) throw new SlackError(notMine)
  return m
}

export const chatMethods: MethodTable = {
  "chat.postMessage": {
    scope: () => "chat:write",
    handler: ({ state, args }) => {
      const channel = targetChannel(state, args.channel)
      const c = content(args)
      if (!hasContent(c)) throw new SlackError("no_text")
      const m = createMessage(state, state.bot.userId, channel.id, {
        text: c.text,
        blocks: c.blocks,
        attachments: c.attachments,
        threadTs: str(args.thread_ts) || undefined,
        replyBroadcast: bool(args.reply_broadcast),
        metadata: metadataOf(args),
      })
      return { channel: channel.id, ts: m.ts, message: wireMessage(state, m) }
    },
  },
  "chat.update": {
    scope: () => "chat:write",
    handler: ({ state, args }) => {
      const m = ownMessage(state, args, "cant_update_message")
      if (m.stream?.state === "streaming") throw new SlackError("streaming_state_conflict")
      const window = state.editWindowSeconds
      if (window !== undefined && Date.now() - tsNumber(m.ts) * 1000 > window * 1000) throw new SlackError("edit_window_closed")
      const c = content(args)
      if (c.text === undefined && c.blocks === undefined && c.attachments === undefined) throw new SlackError("no_text")
      const patch: MessagePatch = { text: c.text, blocks: c.blocks, attachments: c.attachments, metadata: metadataOf(args) }
      updateMessage(state, m, patch, state.bot.userId)
      return { channel: m.channel, ts: m.ts, text: m.text, message: wireMessage(state, m) }
    },
  },
  "chat.delete": {
    scope: () => "chat:write",
    handler: ({ state, args }) => {
      const m = ownMessage(state, args, "cant_delete_message")
      deleteMessage(state, m)
      return { channel: m.channel, ts: m.ts }
    },
  },
  "chat.postEphemeral": {
    scope: () => "chat:write",
    handler: ({ state, args }) => {
      const channel = state.requireBotChannel(args.channel)
      const user = state.requireUser(str(args.user) ?? "")
      if (!channel.members.has(user.id)) throw new SlackError("user_not_in_channel")
      const c = content(args)
      if (!hasContent(c)) throw new SlackError("no_text")
      const e = addEphemeral(state, {
        userId: user.id,
        channel: channel.id,
        text: c.text ?? "",
        blocks: c.blocks ?? [],
        threadTs: str(args.thread_ts) || undefined,
        source: "chat.postEphemeral",
      })
      return { message_ts: e.ts }
    },
  },
  "chat.getPermalink": {
    handler: ({ state, args }) => {
      const channel = state.requireChannel(args.channel)
      const m = state.requireMessage(channel.id, args.message_ts)
      const thread = m.threadTs ? `?thread_ts=${m.threadTs}&cid=${channel.id}` : ""
      return { channel: channel.id, permalink: `${state.baseUrl}/archives/${channel.id}/p${m.ts.replace(".", "")}${thread}` }
    },
  },
  "chat.startStream": {
    scope: () => "chat:write",
    handler: ({ state, args }) => {
      const m = startStream(state, args)
      return { channel: m.channel, ts: m.ts }
    },
  },
  "chat.appendStream": {
    scope: () => "chat:write",
    handler: ({ state, args }) => {
      const m = appendStream(state, args)
      return { channel: m.channel, ts: m.ts }
    },
  },
  "chat.stopStream": {
    scope: () => "chat:write",
    handler: ({ state, args }) => {
      const m = stopStream(state, args)
      return { channel: m.channel, ts: m.ts, message: wireMessage(state, m) }
    },
  },
  "assistant.threads.setStatus": {
    scope: () => "assistant:write",
    handler: ({ state, args }) => {
      const channel = state.requireBotChannel(args.channel_id)
      const threadTs = str(args.thread_ts)
      const status = str(args.status)
      if (!threadTs || status === undefined) throw new SlackError("invalid_arguments")
      const loading = args.loading_messages === undefined ? [] : args.loading_messages
      if (!Array.isArray(loading) || loading.length > LIMITS.loadingMessages.max) throw new SlackError("invalid_arguments")
      clearStatus(state, channel.id, threadTs, status === "" ? "empty_status" : "replaced")
      if (status !== "") {
        state.statuses.push({
          channelId: channel.id,
          threadTs,
          status,
          loadingMessages: loading.map(String),
          setAt: Date.now(),
          clearedAt: undefined,
          clearedBy: undefined,
        })
      }
      state.changed()
      return {}
    },
  },
  "reactions.add": {
    scope: () => "reactions:write",
    handler: ({ state, args }) => {
      const channel = state.requireBotChannel(args.channel)
      addReaction(state, state.bot.userId, state.requireMessage(channel.id, args.timestamp), str(args.name) ?? "")
      return {}
    },
  },
  "reactions.remove": {
    scope: () => "reactions:write",
    handler: ({ state, args }) => {
      const channel = state.requireBotChannel(args.channel)
      removeReaction(state, state.bot.userId, state.requireMessage(channel.id, args.timestamp), str(args.name) ?? "")
      return {}
    },
  },
}
