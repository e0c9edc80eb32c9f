// Work run one at a time per key (a thread, a channel), keys side by side: the one per-key
// serial queue of the relay (a thread's events in conversations, a channel's inbound events
// in adapters). A failed task does not stop the ones after it. Hand-written because it is a
// promise chain per key and a map entry that leaves when the chain is empty — lighter than a
// p-queue or a Bottleneck limiter per thread for thousands of mostly idle threads.

export class KeyedSerial {
  private readonly chains = new Map<string, Promise<unknown>>()

  /** Runs `fn` after everything queued under the same key; resolves or rejects with it. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve()
    const next = prev.then(fn, fn)
    const tail = next.catch(() => {})
    this.chains.set(key, tail)
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key)
    })
    return next
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.chains.size
  }

  /** Resolves when everything queued so far (under any key) has run. */
  async idle(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()])
  }
}
