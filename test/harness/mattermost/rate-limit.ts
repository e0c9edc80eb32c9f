// The server's optional rate limiter (off by default, switchable at runtime): GCRA as in the
// `throttled` library Mattermost uses, one bucket per key (here the token, else the address),
// and the exact 429 it writes. Also the test knobs that force failures: `failNext` and
// `forceRateLimit`, matched against "METHOD /api/v4/path".
import type { ServerResponse } from "node:http"

export interface RateLimitOptions {
  perSec: number
  maxBurst: number
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSec: 10, maxBurst: 100 }

export interface RateDecision {
  limited: boolean
  headers: Record<string, string>
}

/** Generic cell rate algorithm: `maxBurst + 1` requests at once, then one per `1/perSec` s. */
export class RateLimiter {
  enabled = false
  opts: RateLimitOptions = { ...DEFAULT_RATE_LIMIT }
  private readonly tat = new Map<string, number>()

  configure(setting: boolean | Partial<RateLimitOptions>): void {
    if (typeof setting === "boolean") this.enabled = setting
    else {
      this.enabled = true
      this.opts = { ...DEFAULT_RATE_LIMIT, ...setting }
    }
    this.tat.clear()
  }

  check(key: string, at = Date.now()): RateDecision {
    const emission = 1000 / this.opts.perSec
    const tolerance = emission * (this.opts.maxBurst + 1)
    const tat = Math.max(this.tat.get(key) ?? at, at)
    const newTat = tat + emission
    const wait = newTat - tolerance - at
    const limited = wait > 0
    const ttl = limited ? tat - at : newTat - at
    if (!limited) this.tat.set(key, newTat)
    const next = tolerance - ttl
    const remaining = next > -emission ? Math.max(0, Math.floor(next / emission)) : 0
    const headers: Record<string, string> = {
      "X-Ratelimit-Limit": String(this.opts.maxBurst + 1),
      "X-Ratelimit-Remaining": String(remaining),
      "X-Ratelimit-Reset": String(Math.ceil(ttl / 1000)),
    }
    if (limited) headers["Retry-After"] = String(Math.ceil(wait / 1000))
    return { limited, headers }
  }
}

/** What the real server writes when limited (Go's `http.Error(w, "limit exceeded", 429)`). */
export function sendLimited(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(429, {
    ...headers,
    "Content-Type": "text/plain; charset=utf-8",
    "X-Content-Type-Options": "nosniff",
  })
  res.end("limit exceeded\n")
}

/** A substring of, or a RegExp tested against, "METHOD /api/v4/path"; or a predicate. */
export type RouteMatch = string | RegExp | ((r: { method: string; path: string }) => boolean)

interface Fault {
  remaining: number
  status: number
  match: RouteMatch | undefined
  writesOnly: boolean
  retryAfterSec: number
}

export function routeMatches(match: RouteMatch | undefined, method: string, path: string): boolean {
  if (match === undefined) return true
  if (typeof match === "function") return match({ method, path })
  const line = `${method} ${path}`
  return typeof match === "string" ? line.includes(match) : match.test(line)
}

export class Faults {
  private readonly queue: Fault[] = []

  failNext(count: number, status: number, match?: RouteMatch): void {
    this.queue.push({ remaining: count, status, match, writesOnly: false, retryAfterSec: 1 })
  }

  /** The next `count` write calls (not GET/HEAD) that match get a 429. */
  forceRateLimit(count: number, opts: { match?: RouteMatch; retryAfterSec?: number } = {}): void {
    this.queue.push({ remaining: count, status: 429, match: opts.match, writesOnly: true, retryAfterSec: opts.retryAfterSec ?? 1 })
  }

  /** Consumes and returns the first armed fault that applies to this request. */
  take(method: string, path: string): Fault | undefined {
    const write = method !== "GET" && method !== "HEAD"
    const fault = this.queue.find((f) => f.remaining > 0 && (write || !f.writesOnly) && routeMatches(f.match, method, path))
    if (!fault) return undefined
    fault.remaining--
    if (fault.remaining === 0) this.queue.splice(this.queue.indexOf(fault), 1)
    return fault
  }

  clear(): void {
    this.queue.length = 0
  }
}
