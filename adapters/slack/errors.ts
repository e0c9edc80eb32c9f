// Slack's failures as the ChatErrors delivery acts on. The WebClient throws four kinds
// (test/harness/slack/README.md "Bolt"): a rate limit (`rejectRateLimitedCalls`, with
// `retryAfter` in seconds), a platform error (`{ok:false, error}`), an HTTP error and a request
// error (network, timeout). Each becomes a code: wait, retry, continue elsewhere, or give up.
import { webApi } from "@slack/bolt"
import { ChatError, RateLimitError, type ChatErrorCode } from "../../src/chat/errors.ts"
import { PLATFORM } from "./refs.ts"

const CODES: Record<string, ChatErrorCode> = {
  msg_too_long: "too_long",
  msg_blocks_too_long: "too_long",
  invalid_blocks: "invalid",
  invalid_blocks_format: "invalid",
  invalid_arguments: "invalid",
  invalid_attachments: "invalid",
  invalid_chunks: "invalid",
  invalid_metadata_format: "invalid",
  no_text: "invalid",
  message_not_found: "not_found",
  thread_not_found: "not_found",
  channel_not_found: "not_found",
  file_not_found: "not_found",
  edit_window_closed: "too_old",
  // A stream Slack already ended (after a few minutes): continue in a new message.
  message_not_in_streaming_state: "too_old",
  cant_update_message: "forbidden",
  cant_delete_message: "forbidden",
  not_in_channel: "forbidden",
  is_archived: "forbidden",
  missing_scope: "forbidden",
  not_allowed_token_type: "forbidden",
  not_authed: "forbidden",
  invalid_auth: "forbidden",
  account_inactive: "forbidden",
  token_revoked: "forbidden",
  token_expired: "forbidden",
  restricted_action: "forbidden",
  user_not_in_channel: "forbidden",
  ekm_access_denied: "forbidden",
  file_too_large: "too_large",
  // chat.update while the message still streams: try again once the stream has ended.
  streaming_state_conflict: "transient",
  internal_error: "transient",
  fatal_error: "transient",
  service_unavailable: "transient",
  request_timeout: "transient",
  team_added_to_org: "transient",
}

/** Only chat.postMessage is limited per channel; every other method per workspace (README "Rate limits"). */
export function rateScope(method: string): "channel" | "workspace" {
  return method === "chat.postMessage" ? "channel" : "workspace"
}

/** The Slack error string of a platform error (`missing_scope`, …), if it is one. */
export function slackErrorOf(err: unknown): string | undefined {
  return err instanceof webApi.WebAPIPlatformError ? err.data.error : undefined
}

/** A WebClient (or response_url) failure as a ChatError naming the operation. */
export function toChatError(what: string, method: string, err: unknown): ChatError {
  if (err instanceof ChatError) return err
  if (err instanceof webApi.WebAPIRateLimitedError) {
    return new RateLimitError(PLATFORM, Math.max(err.retryAfter * 1000, 100), rateScope(method), { cause: err })
  }
  if (err instanceof webApi.WebAPIPlatformError) {
    const code = err.data.error
    if (code === "ratelimited") return new RateLimitError(PLATFORM, 1_000, rateScope(method), { cause: err })
    const data = err.data as { needed?: unknown }
    const needed = code === "missing_scope" && typeof data.needed === "string" ? ` (needs ${data.needed})` : ""
    return new ChatError(PLATFORM, CODES[code] ?? "invalid", `${what} failed: ${code}${needed}`, { cause: err })
  }
  if (err instanceof webApi.WebAPIHTTPError) {
    const code: ChatErrorCode = err.statusCode >= 500 ? "transient" : err.statusCode === 401 || err.statusCode === 403 ? "forbidden" : "invalid"
    return new ChatError(PLATFORM, code, `${what} failed: HTTP ${err.statusCode}`, { cause: err })
  }
  if (err instanceof webApi.WebAPIRequestError) {
    const original = err.original as { name?: string; message?: string; cause?: { code?: string } }
    const why = original?.name === "TimeoutError" || original?.name === "AbortError" ? "no answer in time" : (original?.cause?.code ?? original?.message ?? "network error")
    return new ChatError(PLATFORM, "transient", `${what} failed: ${why}`, { cause: err })
  }
  const e = err as { name?: string; message?: string; cause?: { code?: string } }
  if (e?.name === "TimeoutError" || e?.name === "AbortError" || e?.name === "TypeError") {
    return new ChatError(PLATFORM, "transient", `${what} failed: ${e.cause?.code ?? e.message ?? e.name}`, { cause: err })
  }
  return new ChatError(PLATFORM, "invalid", `${what} failed: ${e?.message ?? String(err)}`, { cause: err })
}
