// The numbers a test reads back: requests by route and status, the 429s the fake really answered
// (trap 23), invalid requests as Discord counts them, gateway counters and interaction outcomes.
// Derived on demand from the request log and the hubs; nothing here is stored.
import type { GatewayHub, GatewayStats } from "./gateway.ts"
import type { RateLimiter, RateLimitStats } from "./rate-limit.ts"
import type { RequestRecord } from "./server.ts"
import type { FakeState } from "./state.ts"

export interface Stats {
  requests: number
  /** By "METHOD /route/:pattern", e.g. "PATCH /channels/:channelId/messages/:messageId". */
  byRoute: Record<string, number>
  byStatus: Record<string, number>
  /** 429s the fake really answered (trap 23: discord.js's `rateLimited` also fires for its own waits). */
  rateLimited: RateLimitStats
  /** 401/403/429 answers: Discord bans an IP past 10,000 per 10 min (counted, not enforced). */
  invalidRequests: number
  faults: number
  gateway: GatewayStats
  interactions: { total: number; answered: number; failed: number; pending: number }
}

export function buildStats(state: FakeState, limiter: RateLimiter, gateway: GatewayHub, log: RequestRecord[]): Stats {
  const byRoute: Record<string, number> = {}
  const byStatus: Record<string, number> = {}
  for (const r of log) {
    const key = `${r.method} ${r.route || r.path}`
    byRoute[key] = (byRoute[key] ?? 0) + 1
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1
  }
  const all = [...state.interactions.values()]
  const count = (s: string) => all.filter((i) => i.status === s).length
  return {
    requests: log.length,
    byRoute,
    byStatus,
    rateLimited: structuredClone(limiter.stats),
    invalidRequests: log.filter((r) => r.status === 401 || r.status === 403 || r.status === 429).length,
    faults: log.filter((r) => r.intercepted === "fault").length,
    gateway: gateway.stats(),
    interactions: { total: all.length, answered: count("answered"), failed: count("failed"), pending: count("pending") },
  }
}

/** A one-line summary for timeout messages. */
export function describeRecent(g: GatewayStats, log: RequestRecord[]): string {
  const last = log.slice(-5).map((r) => `${r.method} ${r.path} → ${r.status}`)
  return `gateway open=${g.open} identifies=${g.identifies} resumes=${g.resumes}; last requests: ${JSON.stringify(last)}`
}
