// The relay bounds the runtime's endless provider retries: unreachable models stop at once
// with setup guidance, other failures after the configured number of attempts.
import { describe, expect, it } from "vitest"
import { retryVerdict } from "../../src/core/conversations/retry-policy.ts"

const retry = (attempt: number, message: string) => ({ type: "retry" as const, attempt, message, next: 0 })

describe("provider retries", () => {
  it.each([
    [retry(1, "Cannot connect to API: Unable to connect. Is the computer able to access the url?"), false],
    [retry(2, "Cannot connect to API: Unable to connect. Is the computer able to access the url?"), true],
    [retry(2, "401 Unauthorized: invalid api key"), true],
    [retry(2, "Overloaded"), false],
    [retry(7, "Service Unavailable"), false],
    [retry(8, "Service Unavailable"), true],
    [{ type: "busy" as const }, false],
  ])("%j stops: %s", (status, stop) => {
    expect(retryVerdict(status, 8).stop).toBe(stop)
  })
  it("the unreachable note says how to set a model up", () => {
    const v = retryVerdict(retry(2, "Cannot connect to API"), 8)
    expect(v.stop && v.note).toMatch(/opencode auth login.*chat\.model/s)
  })
})
