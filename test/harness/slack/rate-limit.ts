// Rate limiting per method per workspace: a sliding-window log per rule from ./limits.ts
// (`chat.postMessage` keyed per channel too), `Retry-After` in whole seconds until the oldest call
// leaves the window, and the counters of 429s really answered. Also the test knobs:
// `forceRateLimit` (the next N calls get a 429) and `failNext` (the next N get `{ok:false}`).
import { RATE_LIMITS, type RateRule } from "./limits.ts"

export type RateTable = Record<string, RateRule | null>

export interface RateDecision {
  limited: boolean
  retryAfterSec: number
  /** Why the 429 was answered: the window was full, or a test forced it. */
  reason?: "window" | "forced"
}

export class RateLimiter {
  enabled = true
  /** Multiplies every window (0.1 turns a minute into 6 s); 1 = Slack's real windows. */
  scale: number
  private table: RateTable = { ...RATE_LIMITS }
  private readonly log = new Map<string, number[]>()
  private readonly forced = new Map<string, { remaining: number; retryAfterSec: number }>()
  /** 429s answered, per method (window and forced alike). */
  readonly answered = new Map<string, number>()

  constructor(opts: { enabled?: boolean; table?: Partial<RateTable>; scale?: number } = {}) {
    this.scale = opts.scale ?? 1
    this.configure(opts.enabled === false ? false : (opts.table ?? true))
  }

  /** `false` turns the windows off (forced 429s still apply); `true` restores the defaults; a partial table overrides rules. */
  configure(setting: boolean | Partial<RateTable>): void {
    this.log.clear()
    if (typeof setting === "boolean") {
      this.enabled = setting
      this.table = { ...RATE_LIMITS }
      return
    }
    this.enabled = true
    this.table = { ...RATE_LIMITS }
    for (const [method, rule] of Object.entries(setting)) if (rule !== undefined) this.table[method] = rule
  }

  rule(method: string): RateRule | null {
    return this.table[method] ?? null
  }

  force(method: string, count: number, retryAfterSec: number): void {
    this.forced.set(method, { remaining: count, retryAfterSec })
  }

  /** Records the call if allowed; otherwise says how long to wait. */
  check(method: string, channel: string | undefined, at = Date.now()): RateDecision {
    const forced = this.forced.get(method)
    if (forced && forced.remaining > 0) {
      forced.remaining--
      if (forced.remaining === 0) this.forced.delete(method)
      return this.limited(method, forced.retryAfterSec, "forced")
    }
    const rule = this.rule(method)
    if (!this.enabled || !rule) return { limited: false, retryAfterSec: 0 }
    const windowMs = rule.windowMs * this.scale
    const key = rule.perChannel ? `${method}:${channel ?? ""}` : method
    const calls = (this.log.get(key) ?? []).filter((t) => t > at - windowMs)
    if (calls.length >= rule.limit) {
      this.log.set(key, calls)
      const oldest = calls[0] ?? at
      return this.limited(method, Math.max(1, Math.ceil((oldest + windowMs - at) / 1000)), "window")
    }
    calls.push(at)
    this.log.set(key, calls)
    return { limited: false, retryAfterSec: 0 }
  }

  private limited(method: string, retryAfterSec: number, reason: "window" | "forced"): RateDecision {
    this.answered.set(method, (this.answered.get(method) ?? 0) + 1)
    return { limited: true, retryAfterSec, reason }
  }
}

/** `failNext`: the next `count` calls of a method answer `{ok:false, error}` (after auth). */
export class Faults {
  private readonly armed = new Map<string, { remaining: number; error: string }[]>()

  failNext(method: string, error: string, count: number): void {
    const list = this.armed.get(method) ?? []
    list.push({ remaining: count, error })
    this.armed.set(method, list)
  }

  take(method: string): string | undefined {
    const list = this.armed.get(method)
    const fault = list?.[0]
    if (!list || !fault) return undefined
    fault.remaining--
    if (fault.remaining <= 0) list.shift()
    return fault.error
  }

  clear(): void {
    this.armed.clear()
  }
}
