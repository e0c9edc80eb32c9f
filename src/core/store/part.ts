// Reducers for message parts. `message.part.updated` is a full snapshot of one part;
// `message.part.delta` appends to one field of a streaming part. Deltas find their part in
// O(1) through the streaming index; a delta for a part we have not seen yet is buffered.
import type { EventOf, Part } from "../../runtime/events.ts"
import { findMessage, type ReducerContext } from "./context.ts"
import type { SessionState } from "./types.ts"

const MAX_PENDING_DELTAS = 10_000

/** Parts nothing reads: their facts (tokens, cost, snapshots) live on the message already. */
const UNKEPT = new Set<Part["type"]>(["step-start", "step-finish", "snapshot"])

function isStreaming(part: Part): boolean {
  return (part.type === "text" || part.type === "reasoning") && part.time?.end === undefined
}

function applyPending(ctx: ReducerContext, part: Part): void {
  const pending = ctx.pendingDeltas.get(part.id)
  if (!pending) return
  ctx.pendingDeltas.delete(part.id)
  const target = part as unknown as Record<string, unknown>
  for (const d of pending) target[d.field] = String(target[d.field] ?? "") + d.delta
}

/** Puts a part into its message (replacing an older snapshot of it) and indexes it. */
export function placePart(ctx: ReducerContext, session: SessionState, part: Part): boolean {
  if (UNKEPT.has(part.type)) return false
  const message = findMessage(session, part.messageID)
  if (!message) {
    const list = ctx.orphanParts.get(part.messageID)
    if (list) list.push(part)
    else ctx.orphanParts.set(part.messageID, [part])
    return false
  }
  part.sessionID = session.id
  part.messageID = message.info.id
  const parts = message.parts
  let i = parts.length - 1
  while (i >= 0 && parts[i]!.id !== part.id) i--
  if (i >= 0) parts[i] = part
  else if (parts.length === 0 || parts[parts.length - 1]!.id < part.id) parts.push(part)
  else {
    let j = parts.length
    while (j > 0 && parts[j - 1]!.id > part.id) j--
    parts.splice(j, 0, part)
  }
  applyPending(ctx, part)
  if (isStreaming(part) && !message.announced) ctx.streaming.set(part.id, part)
  else if (ctx.streaming.size > 0) ctx.streaming.delete(part.id)
  return true
}

export function partUpdated(ctx: ReducerContext, e: EventOf<"message.part.updated">): void {
  const { part } = e.properties
  const session = ctx.ensure(part.sessionID ?? e.properties.sessionID, e.directory)
  if (ctx.deltaFloor.size > 0 && !isStreaming(part)) ctx.deltaFloor.delete(part.id)
  placePart(ctx, session, part)
  ctx.touch(session.id)
}

export function partDelta(ctx: ReducerContext, e: EventOf<"message.part.delta">): void {
  const p = e.properties
  if (ctx.deltaFloor.size > 0) {
    const floor = ctx.deltaFloor.get(p.partID)
    // Arrived before the resync snapshot was taken: the snapshot text already holds it.
    if (floor !== undefined && ctx.index < floor) return
  }
  let part = ctx.streaming.get(p.partID)
  if (!part) {
    const session = ctx.sessions.get(p.sessionID)
    const message = session && findMessage(session, p.messageID)
    part = message?.parts.find((x) => x.id === p.partID)
    if (!part) {
      const list = ctx.pendingDeltas.get(p.partID)
      if (list) list.push({ field: p.field, delta: p.delta })
      else if (ctx.pendingDeltas.size < MAX_PENDING_DELTAS) ctx.pendingDeltas.set(p.partID, [{ field: p.field, delta: p.delta }])
      return
    }
  }
  const target = part as unknown as Record<string, unknown>
  const current = target[p.field]
  target[p.field] = typeof current === "string" ? current + p.delta : p.delta
  ctx.touch(p.sessionID)
}

export function partRemoved(ctx: ReducerContext, e: EventOf<"message.part.removed">): void {
  const p = e.properties
  const session = ctx.sessions.get(p.sessionID)
  const message = session && findMessage(session, p.messageID)
  if (!session || !message) return
  const i = message.parts.findIndex((x) => x.id === p.partID)
  if (i < 0) return
  message.parts.splice(i, 1)
  ctx.streaming.delete(p.partID)
  ctx.touch(session.id)
}
