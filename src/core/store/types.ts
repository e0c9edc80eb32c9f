// The shape of runtime state in memory, and the store's whole public vocabulary of changes.
// State is plain objects; payload objects from the runtime are kept as received (no copies).
import type {
  SnapshotFileDiff,
  Message,
  Part,
  PermissionRequest,
  QuestionRequest,
  Session,
  SessionStatus,
  Todo,
} from "../../runtime/events.ts"

export interface Totals {
  cost: number
  input: number
  output: number
  reasoning: number
  cacheRead: number
  cacheWrite: number
}

export interface MessageState {
  info: Message
  parts: Part[]
  /** True once `message.completed` was announced, or the message arrived already complete in a snapshot. */
  announced: boolean
  /**
   * The runtime went idle without finishing this message (it restarted mid-answer): it will
   * never complete, and what is shown is all there is. Set only then.
   */
  interrupted?: true
}

/** What a session is doing, derived as the OpenCode TUI does (see status.ts). */
export type DerivedStatus = "idle" | "working" | "retrying" | "awaiting-input" | "compacting"

export interface SessionErrorInfo {
  name: string
  message: string
  /** Provider status code for API errors. */
  statusCode?: number
}

export interface SessionState {
  readonly id: string
  directory: string | undefined
  info: Session | undefined
  /** The runtime's own status; absent on the server means idle. */
  status: SessionStatus
  /** Chronological, capped at the store's `maxMessages`. */
  messages: MessageState[]
  todos: Todo[]
  diff: SnapshotFileDiff[]
  lastError: SessionErrorInfo | undefined
  /** Running totals over every assistant message seen, including ones dropped by the cap. */
  totals: Totals
  /** Last derived status announced (kept only to detect transitions). */
  derived: DerivedStatus
  /** A resync found the server idle with an unfinished last message (e.g. the server restarted mid-turn). */
  orphaned: boolean
}

export type PermissionOutcome =
  | { kind: "replied"; reply: "once" | "always" | "reject" }
  /** No longer pending on the runtime (server restarted or disposed the instance). */
  | { kind: "gone" }

export type QuestionOutcome = { kind: "replied"; answers: string[][] } | { kind: "rejected" } | { kind: "gone" }

export interface StoreEvents {
  /** Once per applied batch for every session the batch touched. */
  "session.changed": [session: SessionState]
  "session.status": [session: SessionState, previous: DerivedStatus]
  "session.deleted": [sessionID: string]
  "session.error": [session: SessionState, error: SessionErrorInfo]
  /** Exactly once per assistant message, when it first has `time.completed`. */
  "message.completed": [session: SessionState, message: MessageState]
  "permission.asked": [request: PermissionRequest]
  "permission.resolved": [request: PermissionRequest, outcome: PermissionOutcome]
  "question.asked": [request: QuestionRequest]
  "question.resolved": [request: QuestionRequest, outcome: QuestionOutcome]
  "file.edited": [file: string, directory: string | undefined]
  "server.connected": []
  "server.disposed": [directory: string | undefined]
}

export type { RuntimeSnapshot as Snapshot } from "../../runtime/resync.ts"
