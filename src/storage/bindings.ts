// Thread ↔ session bindings.
import type { Db } from "./db.ts"

export interface Binding {
  thread: string
  platform: string
  workspace: string
  channel: string
  /** Channel, direct or group message (access rules differ). */
  space: "channel" | "direct" | "group"
  sessionID: string
  runtime: string
  directory: string
  ownerID: string
  ownerName: string | undefined
  createdAt: number
  lastActiveAt: number
}

interface Row {
  thread: string
  platform: string
  workspace: string
  channel: string
  space: string
  session_id: string
  runtime: string
  directory: string
  owner_id: string
  owner_name: string | null
  created_at: number
  last_active_at: number
}

const fromRow = (r: Row): Binding => ({
  thread: r.thread,
  platform: r.platform,
  workspace: r.workspace,
  channel: r.channel,
  space: r.space === "direct" || r.space === "group" ? r.space : "channel",
  sessionID: r.session_id,
  runtime: r.runtime,
  directory: r.directory,
  ownerID: r.owner_id,
  ownerName: r.owner_name ?? undefined,
  createdAt: r.created_at,
  lastActiveAt: r.last_active_at,
})

export function createBindingRepo(db: Db) {
  const get = db.prepare<[string], Row>("SELECT * FROM bindings WHERE thread = ?")
  const bySession = db.prepare<[string], Row>("SELECT * FROM bindings WHERE session_id = ?")
  const all = db.prepare<[], Row>("SELECT * FROM bindings")
  const upsert = db.prepare(
    `INSERT INTO bindings (thread, platform, workspace, channel, space, session_id, runtime, directory, owner_id, owner_name, created_at, last_active_at)
     VALUES (@thread, @platform, @workspace, @channel, @space, @session_id, @runtime, @directory, @owner_id, @owner_name, @created_at, @last_active_at)
     ON CONFLICT(thread) DO UPDATE SET session_id = excluded.session_id, runtime = excluded.runtime,
       directory = excluded.directory, last_active_at = excluded.last_active_at`,
  )
  const touch = db.prepare("UPDATE bindings SET last_active_at = ? WHERE thread = ?")
  const remove = db.prepare("DELETE FROM bindings WHERE thread = ?")
  return {
    get: (thread: string) => {
      const r = get.get(thread)
      return r ? fromRow(r) : undefined
    },
    bySession: (sessionID: string) => bySession.all(sessionID).map(fromRow),
    all: () => all.all().map(fromRow),
    /** Creates the binding, or points an existing thread at a new session. */
    save: (b: Binding) => {
      upsert.run({
        thread: b.thread,
        platform: b.platform,
        workspace: b.workspace,
        channel: b.channel,
        space: b.space,
        session_id: b.sessionID,
        runtime: b.runtime,
        directory: b.directory,
        owner_id: b.ownerID,
        owner_name: b.ownerName ?? null,
        created_at: b.createdAt,
        last_active_at: b.lastActiveAt,
      })
    },
    touch: (thread: string, at: number) => void touch.run(at, thread),
    remove: (thread: string) => void remove.run(thread),
  }
}

export type BindingRepo = ReturnType<typeof createBindingRepo>
