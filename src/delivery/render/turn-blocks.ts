// A turn (the assistant messages answering one prompt) → ordered blocks. Pure: everything it
// needs comes in as arguments; the same input always gives the same blocks.
import type { Message, Part, SessionStatus, Todo, ToolPart } from "@opencode-ai/sdk/v2"
import type { Block, TodoItem, ToolStatus, Verbosity } from "./blocks.ts"
import { QUIET_TOOLS, clip, toolTitle } from "./tool-title.ts"

/** What rendering needs of a session (the store's SessionState fits). */
export interface TurnSession {
  status: SessionStatus
  todos: Todo[]
  directory: string | undefined
}

export interface TurnInput {
  session: TurnSession
  /** Assistant messages of the turn, oldest first; `interrupted`: the runtime will never finish it. */
  messages: Array<{ info: Message; parts: Part[]; interrupted?: true }>
  /** When the prompt was sent (for the footer's duration). */
  startedAt?: number
  /** The turn is over: add the footer. */
  ended: boolean
  verbosity: Verbosity
  /** Parts whose live text froze after a reconnect (see Store.catchingUp). */
  catchingUp?(partID: string): boolean
}

const REASONING_PREVIEW = 280
export const INTERRUPTED = "OpenCode stopped before finishing this answer (its runtime restarted). What you see is all it produced; send a message to continue."
const OUTPUT_TAIL_LINES = 6
const OUTPUT_TAIL_CHARS = 800

function statusOf(part: ToolPart): ToolStatus {
  switch (part.state.status) {
    case "pending":
      return "pending"
    case "running":
      return "running"
    case "completed":
      return "done"
    default:
      return "failed"
  }
}

function tail(text: string): string | undefined {
  const lines = text.trimEnd().split("\n")
  const kept = lines.slice(-OUTPUT_TAIL_LINES).join("\n")
  const out = kept.length > OUTPUT_TAIL_CHARS ? `…${kept.slice(-OUTPUT_TAIL_CHARS)}` : kept
  return out.length > 0 ? out : undefined
}

function toolOutput(part: ToolPart): string | undefined {
  if (part.tool !== "bash") return undefined
  const s = part.state
  if (s.status === "completed") return tail(s.output)
  if (s.status === "running" && typeof s.metadata?.output === "string") return tail(s.metadata.output)
  return undefined
}

function todoItems(session: TurnSession): TodoItem[] {
  const known = new Set(["pending", "in_progress", "completed", "cancelled"])
  return session.todos.map((t) => ({
    text: t.content,
    status: (known.has(t.status) ? t.status : "pending") as TodoItem["status"],
  }))
}

function toolBlock(part: ToolPart, verbosity: Verbosity, projectDir: string | undefined): Block | undefined {
  if (verbosity === "text" || part.tool === "question") return undefined
  if (verbosity === "essential" && QUIET_TOOLS.has(part.tool)) return undefined
  const { title, suffix } = toolTitle(part, projectDir)
  const status = statusOf(part)
  const output = verbosity === "all" ? toolOutput(part) : undefined
  const error = part.state.status === "error" ? clip(part.state.error, 200) : undefined
  return {
    kind: "tool",
    key: part.callID || part.id,
    tool: part.tool,
    status,
    title,
    ...(suffix ? { suffix } : {}),
    ...(output ? { output } : {}),
    ...(error ? { error } : {}),
  }
}

export function turnBlocks(input: TurnInput): Block[] {
  const { session, verbosity } = input
  const blocks: Block[] = []
  let todosAt = -1
  for (const message of input.messages) {
    for (const part of message.parts) {
      if (part.type === "text") {
        if (part.synthetic || part.ignored || part.text.length === 0) continue
        blocks.push({ kind: "text", key: part.id, text: part.text, catchingUp: input.catchingUp?.(part.id) ?? false })
      } else if (part.type === "reasoning") {
        if (verbosity !== "all" || part.text.trim().length === 0) continue
        blocks.push({ kind: "reasoning", key: part.id, text: clip(part.text.replace(/\s+/g, " "), REASONING_PREVIEW) })
      } else if (part.type === "tool") {
        if (part.tool === "todowrite") {
          if (verbosity === "text") continue
          // The list shows where it was last updated, with the session's latest items.
          if (todosAt >= 0) blocks.splice(todosAt, 1)
          todosAt = blocks.length
          blocks.push({ kind: "todos", key: "todos", items: todoItems(session) })
          continue
        }
        const block = toolBlock(part, verbosity, session.directory)
        if (block) blocks.push(block)
      }
    }
    const info = message.info
    if (message.interrupted) {
      blocks.push({ kind: "notice", key: `${info.id}:interrupted`, tone: "warning", text: INTERRUPTED })
      continue
    }
    if (info.role === "assistant" && info.error) {
      const aborted = info.error.name === "MessageAbortedError"
      const detail = "data" in info.error && typeof info.error.data.message === "string" ? info.error.data.message : ""
      blocks.push(
        aborted
          ? { kind: "notice", key: `${info.id}:error`, tone: "info", text: "Stopped." }
          : { kind: "notice", key: `${info.id}:error`, tone: "error", text: `${info.error.name}: ${clip(detail || info.error.name, 300)}` },
      )
    }
  }
  if (!input.ended && session.status.type === "retry") {
    const s = session.status
    blocks.push({ kind: "notice", key: "retry", tone: "warning", text: `Provider error: ${clip(s.message, 200)} Retrying (attempt ${s.attempt})…` })
  }
  // The footer (model · duration · tokens · cost) closes a finished turn, except at "text",
  // which shows the answer only.
  if (input.ended && input.messages.length > 0 && verbosity !== "text") blocks.push(footer(input))
  return blocks
}

function footer(input: TurnInput): Block {
  let tokens = 0
  let cost = 0
  let model = ""
  let end: number | undefined
  for (const m of input.messages) {
    if (m.info.role !== "assistant") continue
    const t = m.info.tokens
    tokens += (t?.input ?? 0) + (t?.output ?? 0) + (t?.reasoning ?? 0)
    cost += m.info.cost ?? 0
    model = m.info.modelID || model
    end = m.info.time.completed ?? end
  }
  const durationMs = input.startedAt !== undefined && end !== undefined ? Math.max(0, end - input.startedAt) : undefined
  return { kind: "footer", key: "footer", model, durationMs, tokens, cost }
}
