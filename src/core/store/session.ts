// Reducers for session-level events: info, status (canonical `session.status`; the redundant
// `session.idle` only confirms it), errors, compaction, diff, todos, files and server frames.
import type { EventOf, Session } from "../../runtime/events.ts"
import { forgetParts } from "./message.ts"
import { NO_DIFF, NO_TODOS, addTo, idleStatus, removeFrom, type ReducerContext } from "./context.ts"
import { closeRequest } from "./requests.ts"
import type { SessionErrorInfo } from "./types.ts"

/**
 * The session info the relay reads, without the fields it never uses (slug, project, path,
 * version…): sessions are many and long-lived, so their size matters.
 */
export function compactSession(info: Session, id: string, directory: string | undefined): Session {
  const out = {
    id,
    title: info.title,
    directory: directory === info.directory ? directory : info.directory,
    time: info.time,
  } as Session
  if (info.cost !== undefined) out.cost = info.cost
  if (info.tokens !== undefined) out.tokens = info.tokens
  if (info.model !== undefined) out.model = info.model
  if (info.agent !== undefined) out.agent = info.agent
  if (info.share !== undefined) out.share = info.share
  if (info.revert !== undefined) out.revert = info.revert
  if (info.parentID !== undefined) out.parentID = info.parentID
  return out
}

export function sessionInfo(ctx: ReducerContext, e: EventOf<"session.created"> | EventOf<"session.updated">): void {
  const { info } = e.properties
  const session = ctx.ensure(info.id, e.directory ?? info.directory)
  session.directory ??= info.directory
  session.info = compactSession(info, session.id, session.directory)
  if (info.parentID) addTo(ctx.children, info.parentID, session.id)
  ctx.touch(session.id)
}

export function sessionDeleted(ctx: ReducerContext, e: EventOf<"session.deleted">): void {
  dropSession(ctx, e.properties.info?.id ?? e.properties.sessionID)
}

/** Forgets a session that no longer exists; its pending requests are gone with it. */
export function dropSession(ctx: ReducerContext, id: string): void {
  const session = ctx.sessions.get(id)
  if (!session) return
  for (const m of session.messages) forgetParts(ctx, m.parts)
  for (const rid of [...(ctx.pendingBySession.get(id) ?? [])]) {
    const permission = closeRequest(ctx, ctx.permissions, rid)
    if (permission) ctx.queue("permission.resolved", permission, { kind: "gone" })
    const question = closeRequest(ctx, ctx.questions, rid)
    if (question) ctx.queue("question.resolved", question, { kind: "gone" })
  }
  const parent = session.info?.parentID
  if (parent) removeFrom(ctx.children, parent, id)
  ctx.sessions.delete(id)
  ctx.queue("session.deleted", id)
}

export function sessionStatus(ctx: ReducerContext, e: EventOf<"session.status">): void {
  const session = ctx.ensure(e.properties.sessionID, e.directory)
  const status = e.properties.status
  // `busy` is re-emitted several times per run; keep the first object so nothing looks changed.
  if (status.type === session.status.type && status.type !== "retry") return
  session.status = status.type === "idle" ? idleStatus : status
  if (status.type !== "idle") session.orphaned = false
  ctx.touch(session.id)
}

export function sessionIdle(ctx: ReducerContext, e: EventOf<"session.idle">): void {
  const session = ctx.sessions.get(e.properties.sessionID)
  if (!session || session.status.type === "idle") return
  session.status = idleStatus
  ctx.touch(session.id)
}

export function describeError(error: unknown): SessionErrorInfo {
  if (!error || typeof error !== "object") return { name: "UnknownError", message: String(error ?? "unknown error") }
  const e = error as { name?: unknown; data?: { message?: unknown; statusCode?: unknown } }
  const name = typeof e.name === "string" ? e.name : "UnknownError"
  const message = typeof e.data?.message === "string" && e.data.message ? e.data.message : name
  const statusCode = typeof e.data?.statusCode === "number" ? e.data.statusCode : undefined
  return statusCode === undefined ? { name, message } : { name, message, statusCode }
}

export function sessionError(ctx: ReducerContext, e: EventOf<"session.error">): void {
  const id = e.properties.sessionID
  if (!id) return
  const session = ctx.ensure(id, e.directory)
  session.lastError = describeError(e.properties.error)
  ctx.queue("session.error", session, session.lastError)
  ctx.touch(id)
}

export function sessionCompacted(ctx: ReducerContext, e: EventOf<"session.compacted">): void {
  ctx.touch(ctx.ensure(e.properties.sessionID, e.directory).id)
}

export function sessionDiff(ctx: ReducerContext, e: EventOf<"session.diff">): void {
  const session = ctx.ensure(e.properties.sessionID, e.directory)
  session.diff = e.properties.diff.length === 0 ? NO_DIFF : e.properties.diff
  ctx.touch(session.id)
}

export function todoUpdated(ctx: ReducerContext, e: EventOf<"todo.updated">): void {
  const session = ctx.ensure(e.properties.sessionID, e.directory)
  session.todos = e.properties.todos.length === 0 ? NO_TODOS : e.properties.todos
  ctx.touch(session.id)
}

export function fileEdited(ctx: ReducerContext, e: EventOf<"file.edited">): void {
  ctx.queue("file.edited", e.properties.file, e.directory)
}

export function serverConnected(ctx: ReducerContext): void {
  ctx.queue("server.connected")
}

/** A disposed instance drops its pending requests without replying to them. */
export function instanceDisposed(ctx: ReducerContext, directory: string | undefined): void {
  const inScope = (sessionID: string) => directory === undefined || ctx.sessions.get(sessionID)?.directory === directory
  for (const [rid, req] of [...ctx.permissions]) {
    if (inScope(req.sessionID) && closeRequest(ctx, ctx.permissions, rid)) ctx.queue("permission.resolved", req, { kind: "gone" })
  }
  for (const [rid, req] of [...ctx.questions]) {
    if (inScope(req.sessionID) && closeRequest(ctx, ctx.questions, rid)) ctx.queue("question.resolved", req, { kind: "gone" })
  }
  for (const session of ctx.sessions.values()) {
    if (directory !== undefined && session.directory !== directory) continue
    if (session.status.type !== "idle") {
      session.status = idleStatus
      ctx.touch(session.id)
    }
  }
  ctx.queue("server.disposed", directory)
}
