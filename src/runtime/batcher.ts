// 16 ms event batching, as the OpenCode TUI does it: the first event after a quiet period is
// delivered at once; events arriving within 16 ms of the last flush wait for a timer, and all
// that arrived meanwhile go out as one batch. The clock is injectable so the benchmark can
// replay recorded streams without sleeping.

export interface Clock {
  now(): number
  /** Runs `fn` after `ms`; returns a cancel function. */
  schedule(fn: () => void, ms: number): () => void
}

export const systemClock: Clock = {
  now: () => performance.now(),
  schedule(fn, ms) {
    const t = setTimeout(fn, ms)
    return () => clearTimeout(t)
  },
}

export interface BatcherOptions<T> {
  intervalMs?: number
  clock?: Clock
  /** Receives each batch and the arrival index of its first item. */
  deliver(items: T[], firstIndex: number): void
}

export class Batcher<T> {
  private queue: T[] = []
  private firstIndex = 0
  private received = 0
  private lastFlush = Number.NEGATIVE_INFINITY
  private cancel: (() => void) | null = null
  private held = false
  private readonly interval: number
  private readonly clock: Clock
  private readonly opts: BatcherOptions<T>

  constructor(opts: BatcherOptions<T>) {
    this.opts = opts
    this.interval = opts.intervalMs ?? 16
    this.clock = opts.clock ?? systemClock
  }

  /** Number of items received so far (the arrival index of the next one). */
  get count(): number {
    return this.received
  }

  push(item: T): void {
    if (this.queue.length === 0) this.firstIndex = this.received
    this.queue.push(item)
    this.received++
    if (this.held || this.cancel) return
    const wait = this.lastFlush + this.interval - this.clock.now()
    if (wait <= 0) this.flush()
    else this.cancel = this.clock.schedule(() => this.flush(), wait)
  }

  /** Keeps items queued until `release()` (used while a resync is in flight). */
  hold(): void {
    this.held = true
    this.cancel?.()
    this.cancel = null
  }

  release(): void {
    this.held = false
    this.flush()
  }

  flush(): void {
    this.cancel?.()
    this.cancel = null
    if (this.held || this.queue.length === 0) return
    const items = this.queue
    this.queue = []
    this.lastFlush = this.clock.now()
    this.opts.deliver(items, this.firstIndex)
  }

  /** Drops everything queued (used when the stream is stopped). */
  clear(): void {
    this.cancel?.()
    this.cancel = null
    this.queue = []
  }
}
