// A process-level guard for the relay: an error that escapes a client library's event handler
// (discord.js's RESUMED race, docs/platform-traps.md trap 24; a socket library's unhandled
// rejection) is logged with its stack and the relay keeps serving. A burst of them means the
// process is in a bad state: past MAX_IN_WINDOW within WINDOW_MS it exits, so a supervisor
// restarts it cleanly (every answer in flight resumes after a restart).
import type { Logger } from "../log/logger.ts"

const WINDOW_MS = 60_000
const MAX_IN_WINDOW = 20

export interface CrashGuard {
  /** Escaped errors seen so far. */
  readonly count: number
  remove(): void
}

/** Logs each escaped error; calls `exit` once they come faster than the process can be trusted. */
export function escapedErrors(log: Logger, exit: (code: number) => void, now: () => number = Date.now): { seen(kind: string, err: unknown): void; readonly count: number } {
  const recent: number[] = []
  let count = 0
  let exiting = false
  return {
    get count() {
      return count
    },
    seen(kind, err) {
      count++
      const at = now()
      recent.push(at)
      while (recent.length > 0 && recent[0]! <= at - WINDOW_MS) recent.shift()
      log.error({ err, kind }, "an error escaped a library's handler; the relay keeps serving")
      if (recent.length > MAX_IN_WINDOW && !exiting) {
        exiting = true
        log.error({ count: recent.length, windowMs: WINDOW_MS }, "too many escaped errors in a short time; exiting so a supervisor restarts the relay")
        exit(70)
      }
    },
  }
}

export function installCrashGuard(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): CrashGuard {
  const errors = escapedErrors(log, exit)
  const onRejection = (err: unknown) => errors.seen("unhandledRejection", err)
  const onException = (err: unknown) => errors.seen("uncaughtException", err)
  process.on("unhandledRejection", onRejection)
  process.on("uncaughtException", onException)
  return {
    get count() {
      return errors.count
    },
    remove() {
      process.off("unhandledRejection", onRejection)
      process.off("uncaughtException", onException)
    },
  }
}
