// Reducers for permission and question requests: pending until the runtime says they were
// answered (by us, another client, or a cascade such as "always" or a session-wide reject).
import type { EventOf } from "../../runtime/events.ts"
import { addTo, removeFrom, type ReducerContext } from "./context.ts"

interface Pending {
  id: string
  sessionID: string
}

/** Adds a request unless known (a resync may have brought it already); true when added. */
export function openRequest<R extends Pending>(ctx: ReducerContext, map: Map<string, R>, req: R, directory?: string): boolean {
  ctx.ensure(req.sessionID, directory)
  if (map.has(req.id)) return false
  map.set(req.id, req)
  addTo(ctx.pendingBySession, req.sessionID, req.id)
  ctx.touch(req.sessionID)
  return true
}

/** Removes a request; returns it when it was pending. */
export function closeRequest<R extends Pending>(ctx: ReducerContext, map: Map<string, R>, requestID: string): R | undefined {
  const req = map.get(requestID)
  if (!req) return undefined
  map.delete(requestID)
  removeFrom(ctx.pendingBySession, req.sessionID, req.id)
  ctx.touch(req.sessionID)
  return req
}

export function permissionAsked(ctx: ReducerContext, e: EventOf<"permission.asked">): void {
  if (openRequest(ctx, ctx.permissions, e.properties, e.directory)) ctx.queue("permission.asked", e.properties)
}

export function permissionReplied(ctx: ReducerContext, e: EventOf<"permission.replied">): void {
  const req = closeRequest(ctx, ctx.permissions, e.properties.requestID)
  if (req) ctx.queue("permission.resolved", req, { kind: "replied", reply: e.properties.reply })
}

export function questionAsked(ctx: ReducerContext, e: EventOf<"question.asked">): void {
  if (openRequest(ctx, ctx.questions, e.properties, e.directory)) ctx.queue("question.asked", e.properties)
}

export function questionReplied(ctx: ReducerContext, e: EventOf<"question.replied">): void {
  const req = closeRequest(ctx, ctx.questions, e.properties.requestID)
  if (req) ctx.queue("question.resolved", req, { kind: "replied", answers: e.properties.answers })
}

export function questionRejected(ctx: ReducerContext, e: EventOf<"question.rejected">): void {
  const req = closeRequest(ctx, ctx.questions, e.properties.requestID)
  if (req) ctx.queue("question.resolved", req, { kind: "rejected" })
}
