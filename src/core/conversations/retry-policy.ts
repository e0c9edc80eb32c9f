// When to stop a turn the runtime keeps retrying: OpenCode retries a failing provider forever,
// so the relay bounds it. A model that cannot be reached at all (no network, no credentials)
// is said once with how to set one up; any other provider error after a number of attempts.
// Pure: reads the runtime's retry status, decides.
import type { SessionStatus } from "../../runtime/events.ts"

/** Failures no amount of retrying fixes: the endpoint is unreachable or refuses the credentials. */
const UNREACHABLE = /cannot connect to api|unable to connect|econnrefused|enotfound|eai_again|getaddrinfo|fetch failed|network is unreachable|unauthorized|invalid (api )?key|authentication|\b401\b|\b403\b/i

/** Attempts after which an unreachable model is given up on (one retry rules out a blip). */
const UNREACHABLE_ATTEMPTS = 2

export type RetryVerdict = { stop: false } | { stop: true; note: string }

export function retryVerdict(status: SessionStatus, maxAttempts: number): RetryVerdict {
  if (status.type !== "retry") return { stop: false }
  const message = status.message.trim()
  if (UNREACHABLE.test(message) && status.attempt >= UNREACHABLE_ATTEMPTS) {
    return {
      stop: true,
      note:
        `No model is reachable (${message}), so this turn was stopped. Set one up where the runtime runs: ` +
        "`opencode auth login`, or a provider key in its environment (runtime.passEnv for the embedded one); " +
        "choose the model with chat.model or in the runtime's own config. Then send your message again.",
    }
  }
  if (status.attempt >= maxAttempts) {
    return { stop: true, note: `The model provider kept failing (${status.attempt} attempts: ${message}), so this turn was stopped. Send your message again later, or choose another model.` }
  }
  return { stop: false }
}
