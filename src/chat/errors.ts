// Errors adapters throw, classified so delivery knows what to do: wait (rate limited), retry
// (transient), continue in a new message (gone, too old), or give up on this content.

export type ChatErrorCode =
  | "rate_limited" // wait `retryAfterMs`, then send the newest content
  | "transient" // 5xx, network: retry with jittered backoff
  | "not_found" // the message (or thread) is gone
  | "too_old" // the platform no longer lets us edit it
  | "too_long" // over the platform's length limit
  | "too_large" // a download or upload over the size cap
  | "unsupported" // the platform does not offer this here (e.g. streaming not enabled for the workspace)
  | "forbidden" // the bot lacks permission
  | "invalid" // the platform refused the payload

export class ChatError extends Error {
  readonly code: ChatErrorCode
  readonly platform: string
  constructor(platform: string, code: ChatErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(`${platform}: ${message}`, { cause: opts.cause })
    this.name = "ChatError"
    this.code = code
    this.platform = platform
  }
}

export class RateLimitError extends ChatError {
  readonly retryAfterMs: number
  /** Which bucket is exhausted: pause that one. */
  readonly scope: "channel" | "workspace" | "global"
  constructor(platform: string, retryAfterMs: number, scope: "channel" | "workspace" | "global", opts: { cause?: unknown } = {}) {
    super(platform, "rate_limited", `rate limited; retry after ${retryAfterMs} ms (${scope})`, opts)
    this.name = "RateLimitError"
    this.retryAfterMs = retryAfterMs
    this.scope = scope
  }
}

export function isChatError(err: unknown, code?: ChatErrorCode): err is ChatError {
  return err instanceof ChatError && (code === undefined || err.code === code)
}

/** The message is unusable for edits: delivery continues in a new one. */
export function isGone(err: unknown): boolean {
  return isChatError(err, "not_found") || isChatError(err, "too_old")
}
