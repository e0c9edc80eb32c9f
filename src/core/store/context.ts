// What a reducer may touch: the state maps, and two recorders (`touch` for sessions the batch
// changed, `queue` for events to announce once the batch is applied). Reducers never emit,
// never do I/O and never read the clock.
import type { Part, PermissionRequest, QuestionRequest, SessionStatus, SnapshotFileDiff, Todo } from "../../runtime/events.ts"
import type { MessageState, SessionState, StoreEvents, Totals } from "./types.ts"

export interface PendingDelta {
  field: string
  delta: string
}

export interface ReducerContext {
  readonly sessions: Map<string, SessionState>
  readonly permissions: Map<string, PermissionRequest>
  readonly questions: Map<string, QuestionRequest>
  /** Text/reasoning parts still being streamed, by part id: O(1) for every delta. */
  readonly streaming: Map<string, Part>
  /** Deltas whose part has not arrived yet (the runtime may send a delta first). */
  readonly pendingDeltas: Map<string, PendingDelta[]>
  /** Parts that arrived before their message, by message id. */
  readonly orphanParts: Map<string, Part[]>
  /** After a resync: deltas for these parts that arrived before the index are already in the snapshot. */
  readonly deltaFloor: Map<string, number>
  /** Open request ids (permissions and questions) by session: nothing scans every open request. */
  readonly pendingBySession: Map<string, Set<string>>
  /** Child session ids (subagents) by parent session id. */
  readonly children: Map<string, Set<string>>
  readonly maxMessages: number
  /** Arrival index of the event being applied. */
  index: number
  ensure(sessionID: string, directory?: string): SessionState
  /** Records that the batch changed this session (cheap when repeated). */
  touch(sessionID: string): void
  queue<K extends keyof StoreEvents>(event: K, ...args: StoreEvents[K]): void
}

const IDLE: SessionStatus = { type: "idle" }

/** Shared empty lists: most sessions never get todos or a diff, so they need no array of their own. */
export const NO_TODOS: Todo[] = Object.freeze([]) as unknown as Todo[]
export const NO_DIFF: SnapshotFileDiff[] = Object.freeze([]) as unknown as SnapshotFileDiff[]

export function emptyTotals(): Totals {
  return { cost: 0, input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 }
}

export function newSession(id: string, directory: string | undefined): SessionState {
  return {
    id,
    directory,
    info: undefined,
    status: IDLE,
    messages: [],
    todos: NO_TODOS,
    diff: NO_DIFF,
    lastError: undefined,
    totals: emptyTotals(),
    derived: "idle",
    orphaned: false,
  }
}

export const idleStatus = IDLE

/** Index of a message by id, searching from the newest (where almost every lookup lands). */
export function messageIndex(session: SessionState, messageID: string): number {
  const list = session.messages
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.info.id === messageID) return i
  return -1
}

export function findMessage(session: SessionState, messageID: string): MessageState | undefined {
  const i = messageIndex(session, messageID)
  return i < 0 ? undefined : session.messages[i]
}

export function countPending(ctx: Pick<ReducerContext, "pendingBySession">, sessionID: string): number {
  return ctx.pendingBySession.get(sessionID)?.size ?? 0
}

/** Adds `value` to the set under `key`, creating it. */
export function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key)
  if (!set) index.set(key, (set = new Set()))
  set.add(value)
}

/** Removes `value` from the set under `key`, dropping an emptied set. */
export function removeFrom(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key)
  if (!set) return
  set.delete(value)
  if (set.size === 0) index.delete(key)
}
