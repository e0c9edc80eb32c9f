// Who did what, allowed or refused: prompts, approvals, rejections, aborts, setting changes.
import type { Db } from "./db.ts"

export interface AuditEntry {
  at: number
  platform?: string
  thread?: string
  userID?: string
  userName?: string
  action: string
  allowed: boolean
  detail?: string
}

interface Row {
  id: number
  at: number
  platform: string | null
  thread: string | null
  user_id: string | null
  user_name: string | null
  action: string
  allowed: number
  detail: string | null
}

export function createAuditRepo(db: Db) {
  const insert = db.prepare(
    "INSERT INTO audit_log (at, platform, thread, user_id, user_name, action, allowed, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  )
  const recent = db.prepare<[number], Row>("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?")
  return {
    record: (e: AuditEntry) =>
      void insert.run(e.at, e.platform ?? null, e.thread ?? null, e.userID ?? null, e.userName ?? null, e.action, e.allowed ? 1 : 0, e.detail ?? null),
    recent: (limit = 50): AuditEntry[] =>
      recent.all(limit).map((r) => ({
        at: r.at,
        ...(r.platform ? { platform: r.platform } : {}),
        ...(r.thread ? { thread: r.thread } : {}),
        ...(r.user_id ? { userID: r.user_id } : {}),
        ...(r.user_name ? { userName: r.user_name } : {}),
        action: r.action,
        allowed: r.allowed === 1,
        ...(r.detail ? { detail: r.detail } : {}),
      })),
  }
}

export type AuditRepo = ReturnType<typeof createAuditRepo>
