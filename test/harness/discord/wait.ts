// Event-driven waiting on the fake: a predicate is re-checked on every FakeState change (REST
// request, gateway frame, dispatch, interaction) and the wait fails with a readable message,
// including what the fake saw last, when the timeout passes. No polling, no sleeps.
import type { FakeState } from "./state.ts"

export function waitForState<T>(
  state: FakeState,
  predicate: () => T | undefined | null | false,
  opts: { timeoutMs?: number; what?: string },
  describe: () => string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? 30_000
    let done = false
    let off = () => {}
    const finish = (fn: () => void) => {
      if (done) return
      done = true
      off()
      clearTimeout(timer)
      fn()
    }
    const check = () => {
      try {
        const value = predicate()
        if (value) finish(() => resolve(value))
      } catch (err) {
        finish(() => reject(err))
      }
    }
    const timer = setTimeout(() => {
      const what = opts.what ? ` (${opts.what})` : ""
      finish(() => reject(new Error(`fake-discord waitFor timed out after ${timeoutMs} ms${what}; ${describe()}`)))
    }, timeoutMs)
    off = state.onChange(check)
    check()
  })
}
