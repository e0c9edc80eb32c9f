// GET /metrics for Prometheus: open to loopback clients, and to others only with the bearer
// token from `metrics.token` (so a relay bound to 0.0.0.0 does not publish its traffic).
import { timingSafeEqual } from "node:crypto"
import type { HttpRoute } from "../chat/types.ts"
import type { Metrics } from "./metrics.ts"

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? "")?.[1] ?? "")
  const want = Buffer.from(token)
  return given.length === want.length && timingSafeEqual(given, want)
}

export function metricsRoute(metrics: Metrics, token: string | undefined): HttpRoute {
  return {
    method: "GET",
    path: "/metrics",
    async handle(req) {
      const allowed = token ? tokenMatches(req.headers.authorization, token) || (LOOPBACK.test(req.remoteAddress ?? "") && !req.headers.authorization) : LOOPBACK.test(req.remoteAddress ?? "")
      if (!allowed) {
        return {
          status: 403,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ error: token ? "metrics need the bearer token (metrics.token)" : "metrics are served to loopback clients only; set metrics.token to scrape from elsewhere" }),
        }
      }
      return { status: 200, headers: { "content-type": metrics.registry.contentType }, body: await metrics.render() }
    },
  }
}
