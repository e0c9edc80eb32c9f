// Enforces rate rules the way a strict platform would: a sliding window per rule and scope
// key. Over budget ⇒ the caller learns how long until the oldest call leaves the window.
import type { ChatOp, RateRule } from "../../src/chat/types.ts"

export interface BudgetVerdict {
  ok: boolean
  retryAfterMs: number
  scope: "channel" | "workspace"
}

export class SlidingBudget {
  private readonly rules: RateRule[]
  private readonly windows = new Map<string, number[]>()

  constructor(rules: RateRule[]) {
    this.rules = rules
  }

  /** Checks every rule for `op`; records the call only if all allow it. */
  take(op: ChatOp, scope: { channel: string; workspace: string }, now: number): BudgetVerdict {
    const hits: number[][] = []
    for (const [i, rule] of this.rules.entries()) {
      if (!rule.ops.includes(op)) continue
      const key = `${i}:${rule.scope === "channel" ? scope.channel : scope.workspace}`
      let window = this.windows.get(key)
      if (!window) this.windows.set(key, (window = []))
      while (window.length > 0 && window[0]! <= now - rule.perMs) window.shift()
      if (window.length >= rule.max) {
        return { ok: false, retryAfterMs: Math.max(1, window[0]! + rule.perMs - now), scope: rule.scope }
      }
      hits.push(window)
    }
    for (const w of hits) w.push(now)
    return { ok: true, retryAfterMs: 0, scope: "channel" }
  }
}

/**
 * A limit as a platform publishes and enforces it, independent of the rules delivery paces
 * itself by (`capabilities.rateRules`): a fake that enforces only what the outbox already
 * obeys can never catch the outbox out.
 */
export interface PlatformLimit {
  scope: "channel" | "workspace"
  ops: ChatOp[]
  /**
   * `window`: at most `max` calls in any `perMs` (a strict sliding window). `gcra`: `max` per
   * `perMs` sustained with bursts of `burst` more (the generic cell rate algorithm, as
   * Mattermost's server limiter).
   */
  kind: "window" | "gcra"
  max: number
  perMs: number
  burst?: number
  /** Where the number comes from. */
  source: string
}

type LimitState = { calls: number[]; tat: number }

/** Enforces a table of `PlatformLimit`s per scope key; also answers when a call would next be allowed. */
export class PlatformLimiter {
  private readonly limits: PlatformLimit[]
  private readonly state = new Map<string, LimitState>()

  constructor(limits: PlatformLimit[]) {
    this.limits = limits
  }

  /** Checks every limit for `op`; records the call only if all allow it. */
  take(op: ChatOp, scope: { channel: string; workspace: string }, now: number): BudgetVerdict {
    const hits: Array<[PlatformLimit, LimitState]> = []
    for (const [i, limit] of this.limits.entries()) {
      if (!limit.ops.includes(op)) continue
      const s = this.stateOf(i, limit, scope)
      const at = this.allowedAt(limit, s, now)
      if (at > now) return { ok: false, retryAfterMs: Math.max(1, Math.ceil(at - now)), scope: limit.scope }
      hits.push([limit, s])
    }
    for (const [limit, s] of hits) {
      if (limit.kind === "window") s.calls.push(now)
      else s.tat = Math.max(s.tat, now) + limit.perMs / limit.max
    }
    return { ok: true, retryAfterMs: 0, scope: "channel" }
  }

  /** The earliest time at or after `now` at which `op` would pass every limit (no call recorded). */
  earliest(op: ChatOp, scope: { channel: string; workspace: string }, now: number): number {
    let at = now
    for (const [i, limit] of this.limits.entries()) {
      if (limit.ops.includes(op)) at = Math.max(at, this.allowedAt(limit, this.stateOf(i, limit, scope), now))
    }
    return at
  }

  private stateOf(i: number, limit: PlatformLimit, scope: { channel: string; workspace: string }): LimitState {
    const key = `${i}:${limit.scope === "channel" ? scope.channel : scope.workspace}`
    let s = this.state.get(key)
    if (!s) this.state.set(key, (s = { calls: [], tat: Number.NEGATIVE_INFINITY }))
    return s
  }

  private allowedAt(limit: PlatformLimit, s: LimitState, now: number): number {
    if (limit.kind === "gcra") {
      const tolerance = (limit.burst ?? 0) * (limit.perMs / limit.max)
      return Math.max(now, s.tat - tolerance)
    }
    const w = s.calls
    while (w.length > 0 && w[0]! <= now - limit.perMs) w.shift()
    return w.length < limit.max ? now : w[w.length - limit.max]! + limit.perMs
  }
}
