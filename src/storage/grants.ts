// "Always" answers, kept by the relay instead of the runtime (which would apply them to every
// session of the project until it restarts): scoped to one thread or to a project directory,
// listed and revocable, surviving restarts.
import type { Db } from "./db.ts"
import { jsonColumn } from "./json-column.ts"
import { z } from "zod"

export type GrantScope = "thread" | "project"

export interface Grant {
  id: number
  scope: GrantScope
  /** The thread, for thread grants. */
  thread: string | undefined
  directory: string
  permission: string
  /** OpenCode wildcard patterns the grant allows (the request's `always` list). */
  patterns: string[]
  grantedBy: string
  grantedByID: string | undefined
  grantedAt: number
  requestID: string | undefined
  revokedAt: number | undefined
  revokedBy: string | undefined
}

interface Row {
  id: number
  scope: GrantScope
  thread: string | null
  directory: string
  permission: string
  patterns: string
  granted_by: string
  granted_by_id: string | null
  granted_at: number
  request_id: string | null
  revoked_at: number | null
  revoked_by: string | null
}

const patternsColumn = jsonColumn("grants.patterns", z.array(z.string()))

const fromRow = (r: Row): Grant => ({
  id: r.id,
  scope: r.scope,
  thread: r.thread ?? undefined,
  directory: r.directory,
  permission: r.permission,
  patterns: patternsColumn.parse(r.patterns),
  grantedBy: r.granted_by,
  grantedByID: r.granted_by_id ?? undefined,
  grantedAt: r.granted_at,
  requestID: r.request_id ?? undefined,
  revokedAt: r.revoked_at ?? undefined,
  revokedBy: r.revoked_by ?? undefined,
})

export function createGrantRepo(db: Db) {
  const insert = db.prepare(
    `INSERT INTO grants (scope, thread, directory, permission, patterns, granted_by, granted_by_id, granted_at, request_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const active = db.prepare<[string, string], Row>(
    `SELECT * FROM grants WHERE revoked_at IS NULL AND directory = ? AND (scope = 'project' OR thread = ?) ORDER BY id`,
  )
  const get = db.prepare<[number], Row>("SELECT * FROM grants WHERE id = ?")
  const revoke = db.prepare("UPDATE grants SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL")
  return {
    add: (g: Pick<Grant, "scope" | "thread" | "directory" | "permission" | "patterns" | "grantedBy" | "grantedByID" | "grantedAt" | "requestID">): Grant => {
      const id = Number(
        insert.run(g.scope, g.thread ?? null, g.directory, g.permission, JSON.stringify(g.patterns), g.grantedBy, g.grantedByID ?? null, g.grantedAt, g.requestID ?? null).lastInsertRowid,
      )
      return fromRow(get.get(id)!)
    },
    /** Grants in force for a thread: its own, and its project's. */
    active: (thread: string, directory: string) => active.all(directory, thread).map(fromRow),
    get: (id: number) => {
      const r = get.get(id)
      return r ? fromRow(r) : undefined
    },
    revoke: (id: number, by: string, at: number): boolean => revoke.run(at, by, id).changes === 1,
  }
}

export type GrantRepo = ReturnType<typeof createGrantRepo>
