// Slack's AI text streams: chat.startStream creates a bot message in a thread, appendStream adds
// chunks (the visible text is every markdown_text concatenated), stopStream may add final
// chunks/blocks/metadata and ends it; later appends fail `message_not_in_streaming_state`.
// Recipients are required outside DMs. Streaming off (the app lacks Slack's AI feature) answers
// missing_scope for assistant:write (README "Streaming off" says why).
import { validateBlocks } from "./blocks.ts"
import { LIMITS } from "./limits.ts"
import { createMessage, normalizeBlocks } from "./messages.ts"
import { streamedText } from "./render.ts"
import type { FakeState } from "./state.ts"
import { SlackError, type Json, type Message } from "./types.ts"

/** What chat.*Stream and assistant.threads.setStatus answer while streaming is off. */
export const STREAMING_DISABLED_ERROR = "missing_scope"

const TASK_STATUSES = new Set(["pending", "in_progress", "complete", "error"])

export function requireStreaming(state: FakeState): void {
  if (!state.streaming) {
    throw new SlackError(STREAMING_DISABLED_ERROR, { needed: "assistant:write", provided: state.grantedScopes().join(",") })
  }
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

/** The chunks one call carries: `markdown_text` first (as a markdown_text chunk), then `chunks`. */
function chunksOf(args: Json): Json[] {
  const out: Json[] = []
  if (args.markdown_text !== undefined) {
    if (typeof args.markdown_text !== "string") throw new SlackError("invalid_arguments")
    if (args.markdown_text !== "") out.push({ type: "markdown_text", text: args.markdown_text })
  }
  if (args.chunks !== undefined) {
    if (!Array.isArray(args.chunks)) throw new SlackError("invalid_chunks")
    for (const c of args.chunks as unknown[]) {
      if (!isObject(c)) throw new SlackError("invalid_chunks")
      const ok =
        (c.type === "markdown_text" && typeof c.text === "string") ||
        (c.type === "task_update" && typeof c.id === "string" && typeof c.title === "string" && TASK_STATUSES.has(String(c.status))) ||
        (c.type === "plan_update" && typeof c.title === "string") ||
        (c.type === "blocks" && Array.isArray(c.blocks))
      if (!ok) throw new SlackError("invalid_chunks")
      if (c.type === "blocks") validateBlocks(c.blocks)
      out.push(structuredClone(c))
    }
  }
  if (streamedText(out).length > LIMITS.streamMarkdownChars.max) throw new SlackError("msg_too_long")
  return out
}

function requireStream(state: FakeState, args: Json): Message & { stream: NonNullable<Message["stream"]> } {
  const channel = state.requireBotChannel(args.channel)
  const m = state.requireMessage(channel.id, args.ts)
  if (!m.stream || m.user !== state.bot.userId) throw new SlackError("message_not_owned_by_app")
  if (m.stream.state !== "streaming") throw new SlackError("message_not_in_streaming_state")
  return m as Message & { stream: NonNullable<Message["stream"]> }
}

function append(m: Message & { stream: NonNullable<Message["stream"]> }, chunks: Json[]): void {
  m.stream.chunks.push(...chunks)
  m.text = streamedText(m.stream.chunks)
}

export function startStream(state: FakeState, args: Json): Message {
  requireStreaming(state)
  const channel = state.requireBotChannel(args.channel)
  if (typeof args.thread_ts !== "string" || args.thread_ts === "") throw new SlackError("invalid_arguments")
  if (channel.type !== "im") {
    if (typeof args.recipient_user_id !== "string" || !args.recipient_user_id) throw new SlackError("missing_recipient_user_id")
    if (typeof args.recipient_team_id !== "string" || !args.recipient_team_id) throw new SlackError("missing_recipient_team_id")
  }
  const chunks = chunksOf(args)
  return createMessage(state, state.bot.userId, channel.id, {
    text: streamedText(chunks),
    threadTs: args.thread_ts,
    stream: {
      state: "streaming",
      chunks,
      recipientUserId: typeof args.recipient_user_id === "string" ? args.recipient_user_id : undefined,
      recipientTeamId: typeof args.recipient_team_id === "string" ? args.recipient_team_id : undefined,
    },
  })
}

export function appendStream(state: FakeState, args: Json): Message {
  requireStreaming(state)
  const m = requireStream(state, args)
  append(m, chunksOf(args))
  state.changed()
  return m
}

export function stopStream(state: FakeState, args: Json): Message {
  requireStreaming(state)
  const m = requireStream(state, args)
  const chunks = chunksOf(args)
  if (args.blocks !== undefined) validateBlocks(args.blocks)
  append(m, chunks)
  if (Array.isArray(args.blocks)) m.blocks = [...m.blocks, ...normalizeBlocks(args.blocks as Json[])]
  if (isObject(args.metadata)) m.metadata = structuredClone(args.metadata)
  m.stream.state = "stopped"
  state.changed()
  return m
}

/** Test knob: Slack ends streams on its own (after a few minutes); later appends then fail. */
export function expireStream(state: FakeState, channel: string, ts: string): void {
  const m = state.message(channel, ts)
  if (!m?.stream) throw new Error(`fake-slack: no streamed message ${channel}/${ts}`)
  m.stream.state = "stopped"
  state.changed()
}
