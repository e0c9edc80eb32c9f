// /metrics is open to loopback clients and, with metrics.token set, to holders of the token only.
import { describe, expect, it } from "vitest"
import { createMetrics } from "../../src/app/metrics.ts"
import { metricsRoute } from "../../src/app/metrics-route.ts"

const req = (remoteAddress: string, authorization?: string) => ({
  method: "GET",
  path: "/metrics",
  query: new URLSearchParams(),
  headers: authorization ? { authorization } : {},
  body: Buffer.alloc(0),
  remoteAddress,
})

describe("/metrics access", () => {
  const metrics = createMetrics()
  it.each([
    [undefined, "127.0.0.1", undefined, 200],
    [undefined, "::ffff:127.0.0.1", undefined, 200],
    [undefined, "10.0.0.8", undefined, 403],
    [undefined, "10.0.0.8", "Bearer anything-at-all-123", 403],
    ["scrape-token-0123456789", "10.0.0.8", "Bearer scrape-token-0123456789", 200],
    ["scrape-token-0123456789", "10.0.0.8", "Bearer wrong-token-0123456789", 403],
    ["scrape-token-0123456789", "127.0.0.1", "Bearer wrong", 403],
  ])("token %s, from %s with %s → %i", async (token, from, auth, status) => {
    const res = await metricsRoute(metrics, token).handle(req(from, auth))
    expect(res.status).toBe(status)
    if (status === 200) expect(res.body).toContain("switchboard_turns_started_total")
  })
})
