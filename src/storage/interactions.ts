// Permission and question requests shown in chat: persisted with their deadline before the
// message is posted, so a restart can re-attach or expire them; closed exactly once.
import { z } from "zod"
import type { Db } from "./db.ts"
import { jsonColumn } from "./json-column.ts"

// The request is validated where its shape is known (core/interactions/stored.ts); here only
// that the columns hold JSON of the right kind.
const requestColumn = jsonColumn("interactions.request", z.record(z.string(), z.unknown()))
const optionsColumn = jsonColumn("interactions.options", z.array(z.unknown()))
const outcomeColumn = jsonColumn("interactions.outcome", z.unknown())

export type InteractionKind = "permission" | "question"
export type InteractionState = "open" | "answered" | "expired" | "closed"

export interface InteractionRecord {
  requestID: string
  kind: InteractionKind
  sessionID: string
  thread: string
  messageRef: string | undefined
  /** The runtime's request as received. */
  request: unknown
  /** What the message offered (labels, option values). */
  options: unknown
  deadline: number
  state: InteractionState
  outcome: unknown
  answeredBy: string | undefined
  answeredAt: number | undefined
  createdAt: number
  /** Set right before the message was posted (cleared by nothing: the ref tells it arrived). */
  postingText: string | undefined
  postingAt: number | undefined
}

interface Row {
  request_id: string
  kind: InteractionKind
  session_id: string
  thread: string
  message_ref: string | null
  request: string
  options: string
  deadline: number
  state: InteractionState
  outcome: string | null
  answered_by: string | null
  answered_at: number | null
  created_at: number
  posting_text: string | null
  posting_at: number | null
}

const fromRow = (r: Row): InteractionRecord => ({
  requestID: r.request_id,
  kind: r.kind,
  sessionID: r.session_id,
  thread: r.thread,
  messageRef: r.message_ref ?? undefined,
  request: requestColumn.parse(r.request),
  options: optionsColumn.parse(r.options),
  deadline: r.deadline,
  state: r.state,
  outcome: r.outcome === null ? undefined : outcomeColumn.parse(r.outcome),
  answeredBy: r.answered_by ?? undefined,
  answeredAt: r.answered_at ?? undefined,
  createdAt: r.created_at,
  postingText: r.posting_text ?? undefined,
  postingAt: r.posting_at ?? undefined,
})

export function createInteractionRepo(db: Db) {
  const get = db.prepare<[string], Row>("SELECT * FROM interactions WHERE request_id = ?")
  const open = db.prepare<[], Row>("SELECT * FROM interactions WHERE state = 'open' ORDER BY created_at")
  const openIn = db.prepare<[string], Row>("SELECT * FROM interactions WHERE state = 'open' AND thread = ? ORDER BY created_at")
  const byMessage = db.prepare<[string], Row>("SELECT * FROM interactions WHERE message_ref = ?")
  const insert = db.prepare(
    `INSERT INTO interactions (request_id, kind, session_id, thread, request, options, deadline, state, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?) ON CONFLICT(request_id) DO NOTHING`,
  )
  const setRef = db.prepare("UPDATE interactions SET message_ref = ? WHERE request_id = ?")
  const posting = db.prepare("UPDATE interactions SET posting_text = ?, posting_at = ? WHERE request_id = ?")
  // Closing only ever happens from `open`: the WHERE clause makes "exactly once" structural.
  const close = db.prepare(
    "UPDATE interactions SET state = ?, outcome = ?, answered_by = ?, answered_at = ? WHERE request_id = ? AND state = 'open'",
  )
  return {
    get: (requestID: string) => {
      const r = get.get(requestID)
      return r ? fromRow(r) : undefined
    },
    open: (thread?: string) => (thread ? openIn.all(thread) : open.all()).map(fromRow),
    byMessage: (ref: string) => {
      const r = byMessage.get(ref)
      return r ? fromRow(r) : undefined
    },
    /** Inserts unless it exists; returns the stored record either way. */
    create: (r: Pick<InteractionRecord, "requestID" | "kind" | "sessionID" | "thread" | "request" | "options" | "deadline" | "createdAt">): InteractionRecord => {
      insert.run(r.requestID, r.kind, r.sessionID, r.thread, JSON.stringify(r.request), JSON.stringify(r.options), r.deadline, r.createdAt)
      return fromRow(get.get(r.requestID)!)
    },
    setMessage: (requestID: string, ref: string) => void setRef.run(ref, requestID),
    markPosting: (requestID: string, text: string, at: number) => void posting.run(text, at, requestID),
    /** Moves an open interaction to a final state; false if it was not open any more. */
    close: (requestID: string, state: Exclude<InteractionState, "open">, outcome: unknown, by: string | undefined, at: number): boolean =>
      close.run(state, JSON.stringify(outcome ?? null), by ?? null, at, requestID).changes === 1,
  }
}

export type InteractionRepo = ReturnType<typeof createInteractionRepo>
