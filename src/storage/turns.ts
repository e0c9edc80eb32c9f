// Turns (one prompt and its answer) and the messages each has posted, so an in-flight turn
// continues in the same messages after a restart.
import { z } from "zod"
import type { Db } from "./db.ts"
import { jsonColumn } from "./json-column.ts"

const sealsColumn = jsonColumn("turns.seals", z.array(z.string()))

export type TurnState = "streaming" | "done" | "failed"

export interface TurnRecord {
  id: number
  thread: string
  sessionID: string
  userMessageID: string
  promptedBy: string | undefined
  state: TurnState
  seals: string[]
  startedAt: number
  finishedAt: number | undefined
}

export interface PostedMessage {
  turnID: number
  slot: number
  /** "" while a post was requested and its outcome is unknown (a crash in between). */
  ref: string
  sentHash: string | undefined
  sentText: string | undefined
  postedAt: number
}

interface TurnRow {
  id: number
  thread: string
  session_id: string
  user_message_id: string
  prompted_by: string | null
  state: TurnState
  seals: string
  started_at: number
  finished_at: number | null
}

interface PostedRow {
  turn_id: number
  slot: number
  ref: string
  sent_hash: string | null
  sent_text: string | null
  posted_at: number
}

const turnFromRow = (r: TurnRow): TurnRecord => ({
  id: r.id,
  thread: r.thread,
  sessionID: r.session_id,
  userMessageID: r.user_message_id,
  promptedBy: r.prompted_by ?? undefined,
  state: r.state,
  seals: sealsColumn.parse(r.seals),
  startedAt: r.started_at,
  finishedAt: r.finished_at ?? undefined,
})

const postedFromRow = (r: PostedRow): PostedMessage => ({
  turnID: r.turn_id,
  slot: r.slot,
  ref: r.ref,
  sentHash: r.sent_hash ?? undefined,
  sentText: r.sent_text ?? undefined,
  postedAt: r.posted_at,
})

export function createTurnRepo(db: Db) {
  const insert = db.prepare(
    "INSERT INTO turns (thread, session_id, user_message_id, prompted_by, state, started_at) VALUES (?, ?, ?, ?, 'streaming', ?)",
  )
  const active = db.prepare<[], TurnRow>("SELECT * FROM turns WHERE state = 'streaming' ORDER BY id")
  const activeIn = db.prepare<[string], TurnRow>("SELECT * FROM turns WHERE state = 'streaming' AND thread = ? ORDER BY id")
  const get = db.prepare<[number], TurnRow>("SELECT * FROM turns WHERE id = ?")
  const finish = db.prepare("UPDATE turns SET state = ?, finished_at = ? WHERE id = ?")
  const discard = db.prepare("DELETE FROM turns WHERE id = ?")
  const seals = db.prepare("UPDATE turns SET seals = ? WHERE id = ?")
  const posted = db.prepare<[number], PostedRow>("SELECT * FROM posted_messages WHERE turn_id = ? ORDER BY slot")
  const post = db.prepare(
    `INSERT INTO posted_messages (turn_id, slot, ref, posted_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(turn_id, slot) DO UPDATE SET ref = excluded.ref, posted_at = excluded.posted_at, sent_hash = NULL, sent_text = NULL`,
  )
  const sent = db.prepare("UPDATE posted_messages SET sent_hash = ?, sent_text = ? WHERE turn_id = ? AND slot = ?")
  const posting = db.prepare(
    `INSERT INTO posted_messages (turn_id, slot, ref, sent_text, posted_at) VALUES (?, ?, '', ?, ?)
     ON CONFLICT(turn_id, slot) DO UPDATE SET ref = '', sent_hash = NULL, sent_text = excluded.sent_text, posted_at = excluded.posted_at`,
  )
  const adopt = db.prepare("UPDATE posted_messages SET ref = ? WHERE turn_id = ? AND slot = ?")
  const forget = db.prepare("DELETE FROM posted_messages WHERE turn_id = ? AND slot = ?")
  return {
    start: (t: { thread: string; sessionID: string; userMessageID: string; promptedBy?: string; at: number }): TurnRecord => {
      const id = Number(insert.run(t.thread, t.sessionID, t.userMessageID, t.promptedBy ?? null, t.at).lastInsertRowid)
      return turnFromRow(get.get(id)!)
    },
    get: (id: number) => {
      const r = get.get(id)
      return r ? turnFromRow(r) : undefined
    },
    active: (thread?: string) => (thread ? activeIn.all(thread) : active.all()).map(turnFromRow),
    finish: (id: number, state: Exclude<TurnState, "streaming">, at: number) => void finish.run(state, at, id),
    setSeals: (id: number, list: string[]) => void seals.run(JSON.stringify(list), id),
    /** A turn whose prompt never reached the runtime (it will be sent again as a new turn). */
    discard: (id: number) => void discard.run(id),
    posted: (turnID: number) => posted.all(turnID).map(postedFromRow),
    /** Before a post goes out: the text it carries, to find the message if we crash meanwhile. */
    recordPosting: (turnID: number, slot: number, text: string, at: number) => void posting.run(turnID, slot, text, at),
    recordPost: (turnID: number, slot: number, ref: string, at: number) => void post.run(turnID, slot, ref, at),
    /** After a crash: the message was found on the platform (or was never created). */
    adopt: (turnID: number, slot: number, ref: string) => void adopt.run(ref, turnID, slot),
    forget: (turnID: number, slot: number) => void forget.run(turnID, slot),
    recordSent: (turnID: number, slot: number, hash: string, text: string) => void sent.run(hash, text, turnID, slot),
  }
}

export type TurnRepo = ReturnType<typeof createTurnRepo>
