// A small typed emitter: the event map gives every event name its argument tuple, so `on`
// and `emit` infer payloads. A throwing listener is reported and never stops the others.

/** An interface whose keys are event names and values their argument tuples. */
export type EventMap<E> = { [K in keyof E]: unknown[] }
export type Listener<A extends unknown[]> = (...args: A) => void

export class Emitter<E extends EventMap<E>> {
  private readonly listeners: { [K in keyof E]?: Array<Listener<E[K]>> } = {}
  private readonly onError: (err: unknown, event: keyof E) => void

  constructor(onError: (err: unknown, event: keyof E) => void = () => {}) {
    this.onError = onError
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof E>(event: K, fn: Listener<E[K]>): () => void {
    const list = (this.listeners[event] ??= [])
    list.push(fn)
    return () => this.off(event, fn)
  }

  off<K extends keyof E>(event: K, fn: Listener<E[K]>): void {
    const list = this.listeners[event]
    if (!list) return
    const i = list.indexOf(fn)
    if (i >= 0) list.splice(i, 1)
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const list = this.listeners[event]
    if (!list || list.length === 0) return
    // Copy only when more than one listener: one may remove itself while we iterate.
    for (const fn of list.length === 1 ? list : list.slice()) {
      try {
        fn(...args)
      } catch (err) {
        this.onError(err, event)
      }
    }
  }

  has<K extends keyof E>(event: K): boolean {
    return (this.listeners[event]?.length ?? 0) > 0
  }
}
