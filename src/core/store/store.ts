// The one place runtime state lives in memory. Batches of runtime events go through the
// reducers; once a batch is applied, the store announces what changed (typed emitter). A
// resync snapshot merges per session: it never drops another session's data, and a message
// announced complete before a gap is not announced again after it.
import type { Logger } from "../../log/logger.ts"
import type { Part, PermissionRequest, QuestionRequest, RuntimeEvent, SessionStatus } from "../../runtime/events.ts"
import { countPending, findMessage, idleStatus, newSession, type ReducerContext } from "./context.ts"
import { Emitter } from "./emitter.ts"
import { announceIfComplete, enforceCap, isComplete, messageRemoved, messageUpdated, upsertMessage } from "./message.ts"
import { partDelta, partRemoved, partUpdated } from "./part.ts"
import {
  closeRequest,
  openRequest,
  permissionAsked,
  permissionReplied,
  questionAsked,
  questionRejected,
  questionReplied,
} from "./requests.ts"
import {
  dropSession,
  fileEdited,
  instanceDisposed,
  serverConnected,
  sessionCompacted,
  sessionDeleted,
  sessionDiff,
  sessionError,
  sessionIdle,
  sessionInfo,
  sessionStatus,
  todoUpdated,
} from "./session.ts"
import { deriveStatus } from "./status.ts"
import type { MessageState, SessionState, Snapshot, StoreEvents } from "./types.ts"

export interface StoreOptions {
  /** Messages kept per session (the TUI keeps 100); totals survive the cap. */
  maxMessages?: number
  log?: Logger
}

/** A trailing user message this old with the server idle means the turn will never start. */
const STALE_PROMPT_MS = 15_000

type Queued = { [K in keyof StoreEvents]: [K, StoreEvents[K]] }[keyof StoreEvents]

class Context implements ReducerContext {
  readonly sessions = new Map<string, SessionState>()
  readonly permissions = new Map<string, PermissionRequest>()
  readonly questions = new Map<string, QuestionRequest>()
  readonly streaming = new Map<string, Part>()
  readonly pendingDeltas = new Map<string, { field: string; delta: string }[]>()
  readonly orphanParts = new Map<string, Part[]>()
  readonly deltaFloor = new Map<string, number>()
  readonly pendingBySession = new Map<string, Set<string>>()
  readonly children = new Map<string, Set<string>>()
  readonly maxMessages: number
  index = 0
  readonly touched = new Set<string>()
  lastTouched = ""
  queued: Queued[] = []

  constructor(maxMessages: number) {
    this.maxMessages = maxMessages
  }

  ensure(sessionID: string, directory?: string): SessionState {
    let s = this.sessions.get(sessionID)
    if (!s) {
      s = newSession(sessionID, directory)
      this.sessions.set(sessionID, s)
    } else if (s.directory === undefined && directory !== undefined) {
      s.directory = directory
    }
    return s
  }

  touch(sessionID: string): void {
    if (sessionID === this.lastTouched) return
    this.lastTouched = sessionID
    this.touched.add(sessionID)
  }

  queue<K extends keyof StoreEvents>(event: K, ...args: StoreEvents[K]): void {
    this.queued.push([event, args] as Queued)
  }
}

function apply(ctx: Context, e: RuntimeEvent): void {
  switch (e.type) {
    case "message.part.delta": return partDelta(ctx, e)
    case "message.part.updated": return partUpdated(ctx, e)
    case "message.updated": return messageUpdated(ctx, e)
    case "session.status": return sessionStatus(ctx, e)
    case "session.updated":
    case "session.created": return sessionInfo(ctx, e)
    case "session.idle": return sessionIdle(ctx, e)
    case "session.diff": return sessionDiff(ctx, e)
    case "session.error": return sessionError(ctx, e)
    case "session.compacted": return sessionCompacted(ctx, e)
    case "session.deleted": return sessionDeleted(ctx, e)
    case "message.removed": return messageRemoved(ctx, e)
    case "message.part.removed": return partRemoved(ctx, e)
    case "permission.asked": return permissionAsked(ctx, e)
    case "permission.replied": return permissionReplied(ctx, e)
    case "question.asked": return questionAsked(ctx, e)
    case "question.replied": return questionReplied(ctx, e)
    case "question.rejected": return questionRejected(ctx, e)
    case "todo.updated": return todoUpdated(ctx, e)
    case "file.edited": return fileEdited(ctx, e)
    case "server.connected": return serverConnected(ctx)
    case "server.instance.disposed": return instanceDisposed(ctx, e.properties.directory)
    case "global.disposed": return instanceDisposed(ctx, undefined)
    default: return // heartbeats and everything else pass through untouched
  }
}

function isStreamingText(part: Part): part is Part & { text: string } {
  return (part.type === "text" || part.type === "reasoning") && part.time?.end === undefined
}

export class Store {
  readonly events: Emitter<StoreEvents>
  private readonly ctx: Context
  private readonly log: Logger | undefined

  constructor(opts: StoreOptions = {}) {
    this.ctx = new Context(opts.maxMessages ?? 100)
    this.log = opts.log
    this.events = new Emitter<StoreEvents>((err, event) =>
      this.log?.error({ err, event }, "a store listener threw; other listeners still ran"),
    )
  }

  session(id: string): SessionState | undefined {
    return this.ctx.sessions.get(id)
  }

  sessions(): IterableIterator<SessionState> {
    return this.ctx.sessions.values()
  }

  permission(id: string): PermissionRequest | undefined {
    return this.ctx.permissions.get(id)
  }

  question(id: string): QuestionRequest | undefined {
    return this.ctx.questions.get(id)
  }

  /** Pending requests of one session (all sessions when omitted), from the per-session index. */
  pending(sessionID?: string): { permissions: PermissionRequest[]; questions: QuestionRequest[] } {
    const ctx = this.ctx
    if (sessionID === undefined) return { permissions: [...ctx.permissions.values()], questions: [...ctx.questions.values()] }
    const permissions: PermissionRequest[] = []
    const questions: QuestionRequest[] = []
    for (const id of ctx.pendingBySession.get(sessionID) ?? []) {
      const p = ctx.permissions.get(id)
      if (p) permissions.push(p)
      const q = ctx.questions.get(id)
      if (q) questions.push(q)
    }
    return { permissions, questions }
  }

  /** Pending requests of a session and of every subagent session below it. */
  pendingUnder(rootID: string): { permissions: PermissionRequest[]; questions: QuestionRequest[] } {
    const out: { permissions: PermissionRequest[]; questions: QuestionRequest[] } = { permissions: [], questions: [] }
    const seen = new Set<string>()
    const walk = [rootID]
    while (walk.length > 0) {
      const id = walk.pop()!
      if (seen.has(id)) continue
      seen.add(id)
      const own = this.pending(id)
      out.permissions.push(...own.permissions)
      out.questions.push(...own.questions)
      for (const child of this.ctx.children.get(id) ?? []) walk.push(child)
    }
    return out
  }

  /** The assistant messages that answer one user message, oldest first. */
  turn(sessionID: string, userMessageID: string): MessageState[] {
    const session = this.ctx.sessions.get(sessionID)
    if (!session) return []
    const out: MessageState[] = []
    for (let i = session.messages.length - 1; i >= 0; i--) {
      const m = session.messages[i]!
      if (m.info.id === userMessageID) break
      if (m.info.role === "assistant" && m.info.parentID === userMessageID) out.push(m)
    }
    return out.reverse()
  }

  message(sessionID: string, messageID: string): MessageState | undefined {
    const session = this.ctx.sessions.get(sessionID)
    return session && findMessage(session, messageID)
  }

  /** Applies one batch of events; `firstIndex` is the arrival index of `events[0]`. */
  applyBatch(events: RuntimeEvent[], firstIndex = 0): void {
    const ctx = this.ctx
    for (let i = 0; i < events.length; i++) {
      ctx.index = firstIndex + i
      try {
        apply(ctx, events[i]!)
      } catch (err) {
        // A malformed payload must not take the batch (or the relay) down with it.
        this.log?.warn({ err, type: events[i]!.type }, "skipped a runtime event the store could not apply")
      }
    }
    this.finish()
  }

  /**
   * Merges a resync snapshot. Each session carries a mark: held deltas that arrived before it
   * are already contained in the snapshot's text and are skipped when the held batch is applied.
   */
  applySnapshot(snap: Snapshot, takenAt = Date.now()): void {
    const ctx = this.ctx
    const directories = new Set(snap.directories)
    const busy = new Map<string, SessionStatus>()
    for (const { directory, statuses } of snap.statuses) {
      for (const [id, status] of Object.entries(statuses)) {
        busy.set(id, status)
        ctx.ensure(id, directory)
      }
    }
    for (const id of snap.missing) dropSession(ctx, id)
    for (const s of snap.sessions) this.mergeSession(s, s.mark)
    for (const session of ctx.sessions.values()) {
      if (session.directory === undefined || !directories.has(session.directory)) continue
      this.mergeStatus(session, busy.get(session.id), takenAt)
    }
    this.mergeRequests(directories, snap)
    this.finish()
  }

  private mergeStatus(session: SessionState, status: SessionStatus | undefined, takenAt: number) {
    const ctx = this.ctx
    if (status) {
      if (status.type !== session.status.type || status.type === "retry") {
        session.status = status
        ctx.touch(session.id)
      }
      session.orphaned = false
      return
    }
    if (session.status.type !== "idle") {
      session.status = idleStatus
      ctx.touch(session.id)
    }
    const last = session.messages.at(-1)
    const orphaned =
      last !== undefined &&
      (last.info.role === "user"
        ? takenAt - last.info.time.created > STALE_PROMPT_MS
        : last.info.time.completed === undefined)
    if (orphaned !== session.orphaned) {
      session.orphaned = orphaned
      ctx.touch(session.id)
    }
    // An answer the runtime will never finish: its frozen parts stop waiting for a final snapshot.
    if (orphaned && last?.info.role === "assistant" && !last.interrupted) {
      last.interrupted = true
      for (const part of last.parts) {
        ctx.deltaFloor.delete(part.id)
        ctx.streaming.delete(part.id)
      }
    }
  }

  private mergeSession(snap: Snapshot["sessions"][number], mark: number) {
    const ctx = this.ctx
    const session = ctx.ensure(snap.id, snap.directory)
    if (snap.info) session.info = snap.info
    const incoming = [...snap.messages].sort((a, b) => (a.info.id < b.info.id ? -1 : a.info.id > b.info.id ? 1 : 0))
    const first = incoming[0]?.info.id
    // Older history outside the fetched window stays; anything newer is what the server has now.
    const kept = first === undefined ? session.messages : session.messages.filter((m) => m.info.id < first)
    const merged: MessageState[] = []
    for (const { info, parts } of incoming) {
      const known = findMessage(session, info.id)
      ctx.orphanParts.delete(info.id)
      if (known) {
        upsertMessage(ctx, session, info)
        known.parts = this.mergeParts(known.parts, parts, mark)
        merged.push(known)
      } else {
        const state: MessageState = { info, parts: [], announced: isComplete(info) }
        session.messages.push(state) // temporarily, so upsert finds and counts it once
        upsertMessage(ctx, session, info)
        session.messages.pop()
        state.parts = this.mergeParts([], parts, mark)
        merged.push(state)
      }
    }
    session.messages = kept.concat(merged)
    for (const m of merged) announceIfComplete(ctx, session, m)
    enforceCap(ctx, session)
    ctx.touch(session.id)
  }

  private mergeParts(local: Part[], incoming: Part[], mark: number): Part[] {
    const ctx = this.ctx
    return incoming.map((part) => {
      ctx.pendingDeltas.delete(part.id) // received before the hold, so inside the snapshot
      if (!isStreamingText(part)) {
        ctx.streaming.delete(part.id)
        ctx.deltaFloor.delete(part.id)
        return part
      }
      const mine = local.find((p) => p.id === part.id)
      const mineText = mine && (mine.type === "text" || mine.type === "reasoning") ? mine.text : ""
      // OpenCode 1.18 persists a streaming part's text only when the part ends, so a snapshot
      // usually shows "" mid-stream. Unless the server is ahead of what we saw, deltas that
      // arrived during the gap are lost: keep what we had (the longer consistent version) and
      // ignore further deltas until the part's final snapshot brings the whole text.
      const serverAhead = part.text.length > 0 && part.text.length >= mineText.length && part.text.startsWith(mineText)
      const chosen = serverAhead || !mine ? part : mine
      ctx.streaming.set(chosen.id, chosen)
      ctx.deltaFloor.set(chosen.id, serverAhead ? mark : Number.POSITIVE_INFINITY)
      return chosen
    })
  }

  /** True while a part's live text is frozen after a gap, until its final snapshot arrives. */
  catchingUp(partID: string): boolean {
    return this.ctx.deltaFloor.get(partID) === Number.POSITIVE_INFINITY
  }

  private mergeRequests(directories: Set<string>, snap: Snapshot) {
    const ctx = this.ctx
    const inScope = (sessionID: string) => {
      const dir = ctx.sessions.get(sessionID)?.directory
      return dir !== undefined && directories.has(dir)
    }
    const merge = <R extends { id: string; sessionID: string }>(
      map: Map<string, R>,
      live: Array<R & { directory?: string }>,
      announce: (req: R, gone: boolean) => void,
    ) => {
      const ids = new Set(live.map((r) => r.id))
      for (const [id, req] of map) {
        if (ids.has(id) || !inScope(req.sessionID)) continue
        if (closeRequest(ctx, map, id)) announce(req, true)
      }
      for (const { directory, ...rest } of live) {
        const req = rest as unknown as R
        if (openRequest(ctx, map, req, directory)) announce(req, false)
      }
    }
    merge(ctx.permissions, snap.permissions, (req, gone) =>
      gone ? ctx.queue("permission.resolved", req, { kind: "gone" }) : ctx.queue("permission.asked", req),
    )
    merge(ctx.questions, snap.questions, (req, gone) =>
      gone ? ctx.queue("question.resolved", req, { kind: "gone" }) : ctx.queue("question.asked", req),
    )
  }

  /** Derives status transitions, then announces everything the batch changed. */
  private finish(): void {
    const ctx = this.ctx
    if (ctx.touched.size === 0 && ctx.queued.length === 0) return
    const touched = [...ctx.touched]
    ctx.touched.clear()
    ctx.lastTouched = ""
    const queued = ctx.queued
    ctx.queued = []
    const changed: SessionState[] = []
    for (const id of touched) {
      const session = ctx.sessions.get(id)
      if (!session) continue
      changed.push(session)
      const derived = deriveStatus(session, countPending(ctx, id))
      if (derived !== session.derived) {
        const previous = session.derived
        session.derived = derived
        queued.push(["session.status", [session, previous]])
      }
    }
    const events = this.events
    for (const [name, args] of queued) (events.emit as (n: string, ...a: unknown[]) => void)(name, ...args)
    if (events.has("session.changed")) for (const session of changed) events.emit("session.changed", session)
  }
}
