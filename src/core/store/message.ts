// Reducers for messages: insert in id order, keep running totals exact across updates and
// the per-session cap, and announce each assistant message's completion exactly once.
import type { EventOf, Message, Part } from "../../runtime/events.ts"
import { messageIndex, type ReducerContext } from "./context.ts"
import type { MessageState, SessionState, Totals } from "./types.ts"

function addTotals(totals: Totals, info: Message, sign: 1 | -1): void {
  if (info.role !== "assistant") return
  totals.cost += sign * (info.cost ?? 0)
  const t = info.tokens
  if (!t) return
  totals.input += sign * t.input
  totals.output += sign * t.output
  totals.reasoning += sign * t.reasoning
  totals.cacheRead += sign * (t.cache?.read ?? 0)
  totals.cacheWrite += sign * (t.cache?.write ?? 0)
}

/** Inserts keeping id order (ids are time-ordered); new messages almost always go last. */
export function insertMessage(session: SessionState, message: MessageState): void {
  const list = session.messages
  const id = message.info.id
  let i = list.length
  while (i > 0 && list[i - 1]!.info.id > id) i--
  if (i === list.length) list.push(message)
  else list.splice(i, 0, message)
}

/** Drops the oldest messages beyond the cap; their cost stays in the totals. */
export function enforceCap(ctx: ReducerContext, session: SessionState): void {
  const extra = session.messages.length - ctx.maxMessages
  if (extra <= 0) return
  for (const m of session.messages.splice(0, extra)) forgetParts(ctx, m.parts)
}

export function forgetParts(ctx: ReducerContext, parts: Part[]): void {
  if (ctx.streaming.size === 0 && ctx.deltaFloor.size === 0) return
  for (const p of parts) {
    ctx.streaming.delete(p.id)
    ctx.deltaFloor.delete(p.id)
  }
}

export function isComplete(info: Message): boolean {
  return info.role === "assistant" && info.time.completed !== undefined
}

/** Announces completion once; later updates of a completed message stay silent. */
export function announceIfComplete(ctx: ReducerContext, session: SessionState, message: MessageState): void {
  if (message.announced || !isComplete(message.info)) return
  message.announced = true
  forgetParts(ctx, message.parts)
  ctx.queue("message.completed", session, message)
}

/** Points repeated id and path strings at the copies the store already holds (memory). */
function share(session: SessionState, info: Message, known: MessageState | undefined): void {
  info.sessionID = session.id
  if (known) info.id = known.info.id
  if (info.role !== "assistant") return
  const parent = session.messages.at(-1)?.info.role === "user" ? session.messages.at(-1) : undefined
  if (parent && parent.info.id === info.parentID) info.parentID = parent.info.id
  else if (known?.info.role === "assistant") info.parentID = known.info.parentID
  const dir = session.directory
  if (dir !== undefined && info.path) {
    if (info.path.cwd === dir) info.path.cwd = dir
    if (info.path.root === dir) info.path.root = dir
  }
}

/** Applies a new version of a message's info; returns the message state. */
export function upsertMessage(ctx: ReducerContext, session: SessionState, info: Message): MessageState {
  const i = messageIndex(session, info.id)
  share(session, info, i < 0 ? undefined : session.messages[i])
  let message: MessageState
  if (i < 0) {
    const orphans = ctx.orphanParts.get(info.id)
    if (orphans) ctx.orphanParts.delete(info.id)
    message = { info, parts: orphans ?? [], announced: false }
    insertMessage(session, message)
  } else {
    message = session.messages[i]!
    addTotals(session.totals, message.info, -1)
    message.info = info
  }
  addTotals(session.totals, info, 1)
  return message
}

export function messageUpdated(ctx: ReducerContext, e: EventOf<"message.updated">): void {
  const { info } = e.properties
  const session = ctx.ensure(e.properties.sessionID, e.directory)
  const message = upsertMessage(ctx, session, info)
  // A new user message means the runtime is working again, whatever a resync concluded.
  if (info.role === "user") session.orphaned = false
  if (message.interrupted && info.role === "assistant" && info.time.completed !== undefined) delete message.interrupted
  announceIfComplete(ctx, session, message)
  enforceCap(ctx, session)
  ctx.touch(session.id)
}

export function messageRemoved(ctx: ReducerContext, e: EventOf<"message.removed">): void {
  const session = ctx.sessions.get(e.properties.sessionID)
  if (!session) return
  const i = messageIndex(session, e.properties.messageID)
  if (i < 0) return
  // Reverted messages still cost what they cost: the totals keep them.
  const [removed] = session.messages.splice(i, 1)
  forgetParts(ctx, removed!.parts)
  ctx.touch(session.id)
}
