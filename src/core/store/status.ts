// Session status derived as the OpenCode TUI does it (first matching rule wins). Pure: reads
// the session and whether requests are pending; stores nothing.
import type { DerivedStatus, SessionState } from "./types.ts"

export function deriveStatus(session: SessionState, pendingRequests: number): DerivedStatus {
  if (session.info?.time?.compacting) return "compacting"
  if (session.status.type === "retry") return "retrying"
  if (pendingRequests > 0) return "awaiting-input"
  if (session.status.type === "busy") return "working"
  if (session.orphaned) return "idle"
  // Between prompt and the first `busy`, and in the abort window after `idle`, the messages
  // tell the truth: a trailing user message or an unfinished assistant message means work.
  const last = session.messages.at(-1)
  if (!last) return "idle"
  if (last.info.role === "user") return "working"
  return last.info.time.completed === undefined ? "working" : "idle"
}

/** True when the turn that answers `userMessageID` has ended (idle and its last answer complete, or orphaned). */
export function turnEnded(session: SessionState, userMessageID: string): boolean {
  if (session.status.type !== "idle") return false
  let seen = false
  for (let i = session.messages.length - 1; i >= 0; i--) {
    const m = session.messages[i]!
    if (m.info.id === userMessageID) return seen || session.orphaned || isOlderTurnDone(session, i)
    if (m.info.role === "assistant" && m.info.parentID === userMessageID) {
      if (m.info.time.completed === undefined && !session.orphaned) return false
      seen = true
    }
  }
  // The prompt is not in the session yet (its events are on the way): not ended. A resync's
  // "orphaned" speaks of the turns it saw, never of one that started after it.
  return seen
}

// The user message exists but no answer yet: ended only if a later user message exists (the
// runtime went on without answering this one, e.g. noReply) — otherwise it is still coming.
function isOlderTurnDone(session: SessionState, index: number): boolean {
  for (let i = index + 1; i < session.messages.length; i++) if (session.messages[i]!.info.role === "user") return true
  return false
}
