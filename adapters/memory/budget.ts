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
