// REST rate limiting from the fake's own table (limits.ts): which bucket a route belongs to,
// fixed-window counting per bucket and channel, the global per-bot limit, forced 429s, the
// extra limit on edits of old messages (30046), the exact headers and 429 body Discord writes,
// and an honest count of the 429s really answered (README "Rate limits").
import { createHash } from "node:crypto"
import { DEFAULT_RATE_LIMITS, type BucketRule, type RateLimitTable } from "./limits.ts"

export type BucketName = "messages" | "messageDelete" | "reactions" | "typing"

/** A substring of, or a RegExp tested against, "METHOD /path" (path under /api/v10); or a predicate. */
export type RouteMatch = string | RegExp | ((r: { method: string; path: string }) => boolean)

export function routeMatches(match: RouteMatch | undefined, method: string, path: string): boolean {
  if (match === undefined) return true
  if (typeof match === "function") return match({ method, path })
  const line = `${method} ${path}`
  return typeof match === "string" ? line.includes(match) : match.test(line)
}

/** The bucket of a request, keyed by its major parameter (the channel id). */
export function bucketOf(method: string, path: string): { name: BucketName; major: string } | undefined {
  const m = /^\/channels\/(\d+)\/(messages|typing)(?:\/(\d+)(\/reactions\/[^/]+\/[^/]+)?)?$/.exec(path)
  if (!m) return undefined
  const [, channel, what, message, reaction] = m
  if (!channel) return undefined
  if (what === "typing") return method === "POST" && !message ? { name: "typing", major: channel } : undefined
  if (reaction) return method === "PUT" || method === "DELETE" ? { name: "reactions", major: channel } : undefined
  if (!message) return method === "POST" ? { name: "messages", major: channel } : undefined
  if (method === "PATCH") return { name: "messages", major: channel }
  if (method === "DELETE") return { name: "messageDelete", major: channel }
  return undefined
}

/** A stable per-bucket hash, as `X-RateLimit-Bucket` carries (POST and PATCH share the messages hash). */
export const bucketHash = (name: string): string => createHash("md5").update(`fake-discord:${name}`).digest("hex")

export interface Limited {
  retryAfterMs: number
  global: boolean
  /** Which counter answered: "messages:<channel>", "global", or "forced". */
  key: string
}

export interface Decision {
  headers: Record<string, string>
  limited?: Limited
}

interface Window {
  count: number
  resetAt: number
}

interface Forced {
  remaining: number
  match: RouteMatch | undefined
  retryAfterMs: number
  global: boolean
}

export interface RateLimitStats {
  /** Every 429 the fake answered (buckets, global and forced). */
  total: number
  global: number
  forced: number
  /** By "bucket:channel", e.g. "messages:1234…". */
  byBucket: Record<string, number>
  /** 30046 answers (a 400, not a 429). */
  oldMessageEdits: number
}

const secs = (ms: number) => (ms / 1000).toFixed(3)

export class RateLimiter {
  enabled = true
  table: RateLimitTable = structuredClone(DEFAULT_RATE_LIMITS)
  readonly stats: RateLimitStats = { total: 0, global: 0, forced: 0, byBucket: {}, oldMessageEdits: 0 }
  private readonly windows = new Map<string, Window>()
  private readonly forced: Forced[] = []

  /** `false` turns every limit off (forced 429s still apply); a partial table replaces those rules. */
  configure(setting: boolean | Partial<RateLimitTable>): void {
    if (typeof setting === "boolean") this.enabled = setting
    else {
      this.enabled = true
      this.table = { ...this.table, ...structuredClone(setting) }
    }
    this.windows.clear()
  }

  force(opts: { route?: RouteMatch; count: number; retryAfterMs: number; global?: boolean }): void {
    this.forced.push({ remaining: opts.count, match: opts.route, retryAfterMs: opts.retryAfterMs, global: opts.global ?? false })
  }

  clearForced(): void {
    this.forced.length = 0
  }

  /** Counts one request against its window; `undefined` when the window is full. */
  private take(key: string, rule: BucketRule, now: number): Window | undefined {
    let w = this.windows.get(key)
    if (!w || now >= w.resetAt) {
      w = { count: 0, resetAt: now + rule.windowMs }
      this.windows.set(key, w)
    }
    if (w.count >= rule.limit) return undefined
    w.count++
    return w
  }

  private answered(key: string, kind: "bucket" | "global" | "forced"): void {
    this.stats.total++
    if (kind === "global") this.stats.global++
    if (kind === "forced") this.stats.forced++
    this.stats.byBucket[key] = (this.stats.byBucket[key] ?? 0) + 1
  }

  /** Decides one bot request. `exempt` = interaction callbacks and interaction webhooks (no global limit). */
  check(method: string, path: string, exempt: boolean, now = Date.now()): Decision {
    const bucket = bucketOf(method, path)
    const forced = this.forced.find((f) => f.remaining > 0 && routeMatches(f.match, method, path))
    if (forced) {
      forced.remaining--
      if (forced.remaining === 0) this.forced.splice(this.forced.indexOf(forced), 1)
      const key = bucket ? `${bucket.name}:${bucket.major}` : "forced"
      this.answered(key, "forced")
      const headers: Record<string, string> = bucket && !forced.global ? this.bucketHeaders(bucket.name, 0, now + forced.retryAfterMs, now) : {}
      return { headers, limited: { retryAfterMs: forced.retryAfterMs, global: forced.global, key } }
    }
    if (!this.enabled) return { headers: {} }
    if (!exempt) {
      const g = this.take("global", this.table.global, now)
      if (!g) {
        const w = this.windows.get("global")!
        this.answered("global", "global")
        return { headers: {}, limited: { retryAfterMs: w.resetAt - now, global: true, key: "global" } }
      }
    }
    if (!bucket) return { headers: {} }
    const rule = this.table[bucket.name]
    const key = `${bucket.name}:${bucket.major}`
    const w = this.take(key, rule, now)
    if (!w) {
      const full = this.windows.get(key)!
      this.answered(key, "bucket")
      return { headers: this.bucketHeaders(bucket.name, 0, full.resetAt, now), limited: { retryAfterMs: full.resetAt - now, global: false, key } }
    }
    return { headers: this.bucketHeaders(bucket.name, rule.limit - w.count, w.resetAt, now) }
  }

  private bucketHeaders(name: BucketName, remaining: number, resetAt: number, now: number): Record<string, string> {
    return {
      "X-RateLimit-Limit": String(this.table[name].limit),
      "X-RateLimit-Remaining": String(remaining),
      "X-RateLimit-Reset": secs(resetAt),
      "X-RateLimit-Reset-After": secs(Math.max(0, resetAt - now)),
      "X-RateLimit-Bucket": bucketHash(name),
    }
  }

  /** The extra per-channel limit on edits of messages older than 1 h; false = answer 30046. */
  allowOldEdit(channelId: string, now = Date.now()): boolean {
    if (!this.enabled) return true
    if (this.take(`oldEdits:${channelId}`, this.table.oldMessageEdits, now)) return true
    this.stats.oldMessageEdits++
    return false
  }
}

/** The headers and JSON body of a 429, as Discord writes them. */
export function limitedReply(l: Limited): { headers: Record<string, string>; body: Record<string, unknown> } {
  const retry = Number((l.retryAfterMs / 1000).toFixed(3))
  const headers: Record<string, string> = { "Retry-After": String(retry), "X-RateLimit-Scope": l.global ? "global" : "user" }
  // discord.js treats the mere presence of X-RateLimit-Global as "global", so it is sent only then.
  if (l.global) headers["X-RateLimit-Global"] = "true"
  return { headers, body: { message: "You are being rate limited.", retry_after: retry, global: l.global } }
}
