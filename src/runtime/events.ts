// The runtime's event vocabulary as the relay receives it, and the parser for one SSE data
// line of `/global/event`. Types come from the SDK (`@opencode-ai/sdk/v2`); we add the two
// frames the SDK union lacks (heartbeat, unknown pass-through) and the instance directory.
import type { Event as SdkEvent } from "@opencode-ai/sdk/v2"
import { frameProblem } from "./event-schema.ts"

export type {
  AssistantMessage,
  SnapshotFileDiff,
  Message,
  Part,
  PermissionRequest,
  QuestionInfo,
  QuestionRequest,
  ReasoningPart,
  Session,
  SessionStatus,
  StepFinishPart,
  TextPart,
  Todo,
  ToolPart,
  ToolState,
  UserMessage,
} from "@opencode-ai/sdk/v2"

export type HeartbeatEvent = { id?: string; type: "server.heartbeat"; properties: Record<string, unknown> }

/** Every event the relay may see; `directory` is the instance that emitted it, when known. */
export type RuntimeEvent = (SdkEvent | HeartbeatEvent) & { directory?: string }

export type EventOf<T extends RuntimeEvent["type"]> = Extract<RuntimeEvent, { type: T }>

/**
 * Events the relay never needs. Dropping them right after parsing keeps instance boot
 * (about 45 `plugin.added`) and file-watcher noise out of the store and the batches.
 */
const IGNORED = new Set<string>([
  "plugin.added",
  "catalog.updated",
  "reference.updated",
  "integration.updated",
  "integration.connection.updated",
  "models-dev.refreshed",
  "file.watcher.updated",
  "lsp.updated",
  "project.updated",
  "project.directories.updated",
  "vcs.branch.updated",
  "installation.updated",
  "installation.update-available",
])

// `/global/event` repeats every durable event as a `sync` frame. Inside a JSON string a quote is
// always escaped, so this exact byte sequence can only be the frame's own payload type; a line
// that matches is dropped without paying for JSON.parse. Reordered fields still parse and drop.
const SYNC_MARK = '"payload":{"type":"sync"'
const GLOBAL_HEAD = '{"directory":"'
/** The payload key sits after the directory, near the start: only that much is searched otherwise. */
const SYNC_SEARCH = 1_024

/** Whether a line is a `sync` repeat, judged from its start without parsing it. */
export function isSyncFrame(data: string): boolean {
  if (data.startsWith(GLOBAL_HEAD)) {
    // `{"directory":"<path>","payload":{"type":…`: the mark follows the directory's closing quote.
    const end = data.indexOf('"', GLOBAL_HEAD.length)
    if (end > 0 && data.charCodeAt(end - 1) !== 92 /* \ */) return data.startsWith(SYNC_MARK, end + 2)
  }
  return (data.length > SYNC_SEARCH ? data.slice(0, SYNC_SEARCH) : data).includes(SYNC_MARK)
}

interface GlobalFrame {
  directory?: string
  payload?: { type?: string; properties?: unknown; id?: string }
}

/** A frame that is JSON but not a valid event (wrong shape or field types). */
export class FrameError extends Error {
  readonly code = "frame_invalid"
}

/**
 * Parses the data of one SSE frame (global or per-instance shape). Returns null for frames
 * the relay ignores; throws SyntaxError on malformed JSON and FrameError on a frame whose
 * fields do not fit (event-schema.ts); the caller counts and skips both.
 */
export function parseEventData(data: string): RuntimeEvent | null {
  if (isSyncFrame(data)) return null
  const frame = JSON.parse(data) as GlobalFrame & { type?: string }
  let event: { type?: unknown; directory?: string }
  if (frame.payload !== undefined) {
    event = frame.payload as { type?: unknown; directory?: string }
    if (frame.directory !== undefined && frame.directory !== "global") event.directory = frame.directory
  } else {
    event = frame
  }
  const type = event.type
  if (typeof type !== "string" || type === "sync" || IGNORED.has(type)) return null
  const problem = frameProblem(type, (event as { properties?: unknown }).properties)
  if (problem) throw new FrameError(`${type}: ${problem}`)
  return event as RuntimeEvent
}
