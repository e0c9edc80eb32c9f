// Every Web API call of the adapter goes through here: the WebClient's generic `apiCall` (it
// serialises nested values as JSON form fields), failures classified into ChatErrors naming the
// operation (errors.ts), and reads retried once on a transient failure with the relay's backoff.
// Writes are never retried here: delivery owns their retries, so nothing is posted twice.
import type { webApi } from "@slack/bolt"
import { isChatError } from "../../src/chat/errors.ts"
import { backoffDelay } from "../../src/timing/backoff.ts"
import { toChatError } from "./errors.ts"
import { LIMITS } from "./limits.ts"

export type WebClient = webApi.WebClient
export type Json = Record<string, unknown>

export class Api {
  readonly client: WebClient

  constructor(client: WebClient) {
    this.client = client
  }

  /** One call; any failure is a ChatError. */
  async call<T = Json>(what: string, method: string, args: Json = {}): Promise<T> {
    try {
      return (await this.client.apiCall(method, args)) as T
    } catch (err) {
      throw toChatError(what, method, err)
    }
  }

  /** A read: retried on a transient failure (not on rate limits or refusals). */
  async read<T = Json>(what: string, method: string, args: Json = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call<T>(what, method, args)
      } catch (err) {
        if (!isChatError(err, "transient") || attempt + 1 >= LIMITS.readAttempts) throw err
        await new Promise((r) => setTimeout(r, backoffDelay(attempt, { initialMs: LIMITS.readRetryMs, maxMs: LIMITS.readRetryMs * 4 })))
      }
    }
  }
}
