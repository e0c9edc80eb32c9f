// Follow-ups that arrived while the session was busy, in arrival order per thread.
import { z } from "zod"
import type { Db } from "./db.ts"
import { jsonColumn } from "./json-column.ts"

/** Prompt parts as queued: text, or a file given as a (data) URL. */
const partsColumn = jsonColumn(
  "queued_prompts.parts",
  z.array(
    z.discriminatedUnion("type", [
      z.object({ type: z.literal("text"), text: z.string() }),
      z.object({ type: z.literal("file"), mime: z.string(), url: z.string(), filename: z.string().optional() }),
    ]),
  ),
)

export type QueuedPart = z.infer<typeof partsColumn.schema>[number]

export interface QueuedPrompt {
  id: number
  thread: string
  userID: string
  userName: string | undefined
  parts: QueuedPart[]
  createdAt: number
}

interface Row {
  id: number
  thread: string
  user_id: string
  user_name: string | null
  parts: string
  created_at: number
}

const fromRow = (r: Row): QueuedPrompt => ({
  id: r.id,
  thread: r.thread,
  userID: r.user_id,
  userName: r.user_name ?? undefined,
  parts: partsColumn.parse(r.parts),
  createdAt: r.created_at,
})

export function createQueueRepo(db: Db) {
  const push = db.prepare("INSERT INTO queued_prompts (thread, user_id, user_name, parts, created_at) VALUES (?, ?, ?, ?, ?)")
  const list = db.prepare<[string], Row>("SELECT * FROM queued_prompts WHERE thread = ? ORDER BY id")
  const threads = db.prepare<[], { thread: string }>("SELECT DISTINCT thread FROM queued_prompts")
  const pushFront = db.prepare("INSERT INTO queued_prompts (id, thread, user_id, user_name, parts, created_at) VALUES ((SELECT COALESCE(MIN(id), 1) - 1 FROM queued_prompts), ?, ?, ?, ?, ?)")
  const remove = db.prepare("DELETE FROM queued_prompts WHERE id = ?")
  const clear = db.prepare("DELETE FROM queued_prompts WHERE thread = ?")
  return {
    /** Appends; returns the 1-based position in the thread's queue. */
    push: (q: { thread: string; userID: string; userName?: string; parts: QueuedPart[]; at: number }): { id: number; position: number } => {
      const id = Number(push.run(q.thread, q.userID, q.userName ?? null, JSON.stringify(q.parts), q.at).lastInsertRowid)
      return { id, position: list.all(q.thread).length }
    },
    /** Puts a prompt back at the head of its thread's queue (it could not be sent). */
    pushFront: (q: { thread: string; userID: string; userName?: string; parts: QueuedPart[]; at: number }): void =>
      void pushFront.run(q.thread, q.userID, q.userName ?? null, JSON.stringify(q.parts), q.at),
    list: (thread: string) => list.all(thread).map(fromRow),
    threads: () => threads.all().map((r) => r.thread),
    remove: (id: number) => void remove.run(id),
    clear: (thread: string) => clear.run(thread).changes,
  }
}

export type QueueRepo = ReturnType<typeof createQueueRepo>
