// Keeps every outbound call within the platform's rate rules, using Bottleneck: one limiter
// per rule and scope key (channel or workspace), each spacing job starts by the rule's period
// divided by its budget (plus a small margin), which stays inside a sliding window the way
// strict platforms count. A rule with a burst is a token bucket instead: `burst` calls at
// once, refilled one per `perMs / (max - burst)`, so no window holds more than `max`. An outer
// limiter per order key runs one call at a time by priority: the outbox keys a thread's posts
// by the thread (messages appear in order) and a message's edits by the message (threads of
// one channel still proceed side by side, each within the channel's budget). A 429 pauses the
// bucket it names for its retry-after.
import Bottleneck from "bottleneck"
import type { ChatOp, RateRule } from "../chat/types.ts"

export interface Scope {
  channel: string
  workspace: string
}

/** Bottleneck priorities (0 runs first). */
export const PRIORITY = {
  interaction: 1,
  first: 3,
  final: 4,
  stream: 5,
  typing: 8,
} as const

export type Priority = keyof typeof PRIORITY

export interface LimiterSettings {
  /** Extra spacing, as a share of the rule's interval (headroom for clock skew and other traffic). */
  margin?: number
  /** Extra spacing in ms. */
  slackMs?: number
}

interface RuleGroup {
  rule: RateRule
  group: Bottleneck.Group
}

/** Calls of one workspace rule started but not finished (a few, for calls' latency to overlap). */
const WORKSPACE_CONCURRENCY = 4

export function spacing(rule: RateRule, settings: LimiterSettings = {}): number {
  const spaced = rule.max - (rule.burst ?? 0)
  return Math.ceil((rule.perMs / spaced) * (1 + (settings.margin ?? 0.03)) + (settings.slackMs ?? 2))
}

/** Bottleneck settings of one rule's limiters. */
function limiterSettings(rule: RateRule, settings: LimiterSettings): Bottleneck.ConstructorOptions {
  // Bottleneck commits a job to its start time as soon as a concurrency slot is free; only
  // jobs still queued are ordered by priority. A bounded workspace concurrency keeps the
  // queue, so a click's answer or a first post goes ahead of typing and edits of other threads.
  const maxConcurrent = rule.scope === "channel" ? 1 : WORKSPACE_CONCURRENCY
  const every = spacing(rule, settings)
  if (!rule.burst) return { minTime: every, maxConcurrent }
  return { maxConcurrent, reservoir: rule.burst, reservoirIncreaseInterval: every, reservoirIncreaseAmount: 1, reservoirIncreaseMaximum: rule.burst }
}

export class Limiters {
  private readonly order: Bottleneck.Group
  private readonly rules: RuleGroup[]
  /** After a 429: no call in this scope before the given time (keys `c:<channel>`, `w:<workspace>`, `*`). */
  private readonly pausedUntil = new Map<string, number>()

  constructor(rules: RateRule[], settings: LimiterSettings = {}) {
    this.order = new Bottleneck.Group({ maxConcurrent: 1 })
    this.rules = rules.map((rule) => ({ rule, group: new Bottleneck.Group(limiterSettings(rule, settings)) }))
  }

  /**
   * Runs `fn` once every rule that covers `op` allows it (and no 429 pause holds the scope).
   * Calls with the same `order` key (a thread, a message) run one at a time, by priority then arrival.
   */
  schedule<T>(op: ChatOp, scope: Scope, priority: Priority, fn: () => Promise<T>, order = scope.channel): Promise<T> {
    const p = PRIORITY[priority]
    const chain = this.rules.filter((r) => r.rule.ops.includes(op))
    const call = async () => {
      await this.waitOutPause(scope)
      return fn()
    }
    const run = chain.reduceRight<() => Promise<T>>(
      (inner, r) => () => r.group.key(keyOf(r.rule, scope)).schedule({ priority: p }, inner),
      call,
    )
    return this.order.key(order).schedule({ priority: p }, run)
  }

  /**
   * Whether a call of `op` in `scope` would start now: no 429 pause holds the scope and every
   * rule covering `op` has room and nothing waiting. (Delivery opens a native stream only then,
   * and posts instead of waiting for one.)
   */
  async ready(op: ChatOp, scope: Scope): Promise<boolean> {
    const now = Date.now()
    for (const key of ["*", `c:${scope.channel}`, `w:${scope.workspace}`]) if ((this.pausedUntil.get(key) ?? 0) > now) return false
    for (const r of this.rules) {
      if (!r.rule.ops.includes(op)) continue
      const limiter = r.group.key(keyOf(r.rule, scope))
      if ((limiter.counts().QUEUED ?? 0) > 0 || !(await limiter.check())) return false
    }
    return true
  }

  /** Calls waiting or running, across every thread (the outbox's queue depth). */
  depth(): number {
    let n = 0
    for (const { limiter } of this.order.limiters()) {
      const c = limiter.counts()
      n += (c.RECEIVED ?? 0) + (c.QUEUED ?? 0) + (c.RUNNING ?? 0) + (c.EXECUTING ?? 0)
    }
    return n
  }

  /** After a 429: no call in the named scope for `ms`. */
  pause(scope: Scope, which: "channel" | "workspace" | "global", ms: number): void {
    const key = which === "global" ? "*" : which === "channel" ? `c:${scope.channel}` : `w:${scope.workspace}`
    const until = Date.now() + ms
    if ((this.pausedUntil.get(key) ?? 0) < until) this.pausedUntil.set(key, until)
  }

  private async waitOutPause(scope: Scope): Promise<void> {
    for (;;) {
      const until = Math.max(
        this.pausedUntil.get("*") ?? 0,
        this.pausedUntil.get(`c:${scope.channel}`) ?? 0,
        this.pausedUntil.get(`w:${scope.workspace}`) ?? 0,
      )
      const wait = until - Date.now()
      if (wait <= 0) return
      await new Promise((r) => setTimeout(r, wait))
    }
  }

  async stop(): Promise<void> {
    this.pausedUntil.clear()
    const all = [this.order, ...this.rules.map((r) => r.group)]
    await Promise.all(all.flatMap((g) => g.limiters().map(({ limiter }) => limiter.stop({ dropWaitingJobs: true }).catch(() => {}))))
  }
}

function keyOf(rule: RateRule, scope: Scope): string {
  return rule.scope === "channel" ? scope.channel : scope.workspace
}
