// A bounded cache with a time to live and single-flight loads: what adapters keep about users
// (profiles, roles, team membership) and channels. Concurrent look-ups of one key share one
// request; a failed load is not cached. lru-cache does the bounding and expiry.
import { LRUCache } from "lru-cache"

export class TtlCache<V extends {}> {
  private readonly cache: LRUCache<string, V>
  private readonly pending = new Map<string, Promise<V>>()

  constructor(opts: { max: number; ttlMs: number }) {
    this.cache = new LRUCache({ max: opts.max, ttl: opts.ttlMs })
  }

  /** The cached value, or what `load` gives (then cached); one load per key at a time. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.cache.get(key)
    if (hit !== undefined) return Promise.resolve(hit)
    const inFlight = this.pending.get(key)
    if (inFlight) return inFlight
    const next = load()
      .then((value) => {
        this.cache.set(key, value)
        return value
      })
      .finally(() => this.pending.delete(key))
    this.pending.set(key, next)
    return next
  }

  set(key: string, value: V): void {
    this.cache.set(key, value)
  }

  peek(key: string): V | undefined {
    return this.cache.get(key)
  }
}
