// Awaiting conditions without sleeping: a check is re-evaluated whenever a source signals a
// change, and the wait fails with a readable message when the timeout passes.
import type { Store } from "../../src/core/store/store.ts"

export type Subscribe = (notify: () => void) => () => void

export function until<T>(
  check: () => T | undefined | null | false,
  subscribe: Subscribe,
  opts: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = check()
    if (first) return resolve(first)
    let done = false
    const finish = (fn: () => void) => {
      if (done) return
      done = true
      clearTimeout(timer)
      off()
      fn()
    }
    const off = subscribe(() => {
      let value: T | undefined | null | false
      try {
        value = check()
      } catch (err) {
        finish(() => reject(err))
        return
      }
      if (value) finish(() => resolve(value as T))
    })
    const timeout = opts.timeoutMs ?? 20_000
    const timer = setTimeout(
      () => finish(() => reject(new Error(`timed out after ${timeout} ms waiting for ${opts.what ?? "a condition"}`))),
      timeout,
    )
  })
}

/** Signals on every store change (batches, statuses, requests). */
export function storeChanges(store: Store): Subscribe {
  return (notify) => {
    const offs = [
      store.events.on("session.changed", notify),
      store.events.on("session.status", notify),
      store.events.on("permission.asked", notify),
      store.events.on("permission.resolved", notify),
      store.events.on("question.asked", notify),
      store.events.on("question.resolved", notify),
      store.events.on("session.deleted", notify),
      store.events.on("server.connected", notify),
    ]
    return () => offs.forEach((off) => off())
  }
}

export function deferred<T = void>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
