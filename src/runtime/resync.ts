// After every (re)connect the runtime has replayed nothing, so we fetch what may have changed
// during the gap: session statuses, pending permissions and questions per project directory,
// and the latest messages of the sessions the caller cares about (busy ones at least).
import type { Logger } from "../log/logger.ts"
import type { MessageWithParts, RuntimeClient } from "./client.ts"
import { isNotFound } from "./errors.ts"
import type { PermissionRequest, QuestionRequest, Session, SessionStatus } from "./events.ts"

export interface RuntimeSnapshot {
  /** Directories whose statuses and pending requests were fetched. */
  directories: string[]
  /** Non-idle sessions per directory (the server omits idle ones). */
  statuses: Array<{ directory: string; statuses: Record<string, SessionStatus> }>
  permissions: Array<PermissionRequest & { directory?: string }>
  questions: Array<QuestionRequest & { directory?: string }>
  /**
   * Sessions with their latest messages. `mark` is the arrival index of the next live event when
   * the messages came back: deltas that arrived before it are already part of the text.
   */
  sessions: Array<{ id: string; directory: string; info?: Session; messages: MessageWithParts[]; mark: number }>
  /** Sessions the caller asked about that no longer exist on the runtime. */
  missing: string[]
}

export interface SessionRef {
  id: string
  directory: string
}

export interface ResyncPlan {
  directories: string[]
  /** Sessions whose messages to refetch, given what is busy now. */
  sessions(busyNow: SessionRef[]): SessionRef[]
  /** Messages fetched per session (the newest ones). */
  messageLimit?: number
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/**
 * Fetches a snapshot. `mark()` returns the number of live events received so far; it is read
 * as each session's messages arrive.
 */
export async function fetchSnapshot(
  client: RuntimeClient,
  plan: ResyncPlan,
  mark: () => number,
  log?: Logger,
): Promise<RuntimeSnapshot> {
  const directories = [...new Set(plan.directories)]
  const perDir = await mapLimit(directories, 4, async (directory) => {
    const [statuses, permissions, questions] = await Promise.all([
      client.sessions.status(directory),
      client.permissions.list(directory),
      client.questions.list(directory),
    ])
    return { directory, statuses, permissions, questions }
  })
  const busyNow: SessionRef[] = perDir.flatMap((d) => Object.keys(d.statuses).map((id) => ({ id, directory: d.directory })))
  const wanted = new Map<string, SessionRef>()
  for (const ref of plan.sessions(busyNow)) wanted.set(ref.id, ref)
  const missing: string[] = []
  const sessions = (
    await mapLimit([...wanted.values()], 4, async (ref) => {
      try {
        const [info, messages] = await Promise.all([
          client.sessions.get(ref.directory, ref.id),
          client.sessions.messages(ref.directory, ref.id, { limit: plan.messageLimit ?? 50 }),
        ])
        return { id: ref.id, directory: ref.directory, info, messages, mark: mark() }
      } catch (err) {
        if (!isNotFound(err)) throw err
        log?.info({ sessionID: ref.id }, "session no longer exists on the runtime")
        missing.push(ref.id)
        return null
      }
    })
  ).filter((s) => s !== null)
  return {
    directories,
    statuses: perDir.map((d) => ({ directory: d.directory, statuses: d.statuses })),
    permissions: perDir.flatMap((d) => d.permissions.map((p) => ({ ...p, directory: d.directory }))),
    questions: perDir.flatMap((d) => d.questions.map((q) => ({ ...q, directory: d.directory }))),
    sessions,
    missing,
  }
}
