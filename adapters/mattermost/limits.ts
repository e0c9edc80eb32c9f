// Every limit and default of the Mattermost adapter in one table, each with the reason for its
// value. Nothing else in the folder hard-codes a number that a person might want to tune.
import type { ChatOp, RateRule } from "../../src/chat/types.ts"

const ALL_OPS: ChatOp[] = ["post", "edit", "delete", "react", "typing", "upload"]

export const LIMITS = {
  /** `PostMessageMaxRunesV2`: used until (or when) the client config has no `MaxPostSize`. */
  maxPostSizeFallback: 16_383,
  /** Headroom under `MaxPostSize`, so a message at our cap never trips the server's rune count. */
  postSizeMargin: 100,
  /** Roll into a new post before Mattermost's ~600 px "Show more" collapse hides the answer. */
  softPostLength: 3_000,
  /** More buttons than this wrap into rows people skim past; our UI never needs more. */
  maxActions: 5,
  /** Longer labels are cut off on narrow (mobile) screens. */
  maxActionLabel: 50,
  /** Where the relay's HTTP server receives button callbacks by default. */
  callbackPath: "/mattermost/actions",
  /** A button context older than this is refused, so a leaked callback cannot be replayed forever. */
  contextTtlMs: 24 * 60 * 60 * 1000,
  /** How long a callback waits for the core: well under the server's 30 s integration timeout. */
  callbackSinkTimeoutMs: 10_000,
  /** Callback bodies are small JSON objects; anything bigger is not from Mattermost. */
  callbackMaxBodyBytes: 64 * 1024,
  /** Trigger ids remembered to refuse replays; a click's trigger id is only ever sent once. */
  seenTriggers: 10_000,
  /** Post ids remembered so live and recovered copies of one post reach the core once. */
  seenPosts: 10_000,
  /** Profiles change rarely; re-read them now and then so role changes take effect. */
  profileTtlMs: 5 * 60 * 1000,
  /** Bounds the profile cache's memory in large servers. */
  maxProfiles: 2_000,
  /** Channel type, team and name are stable; the cache is bounded only for memory. */
  maxChannels: 5_000,
  /** A REST call with no answer by then is treated as a transient failure (delivery retries). */
  requestTimeoutMs: 15_000,
  /** Recovery re-reads this much before the newest post seen (same-millisecond and late commits). */
  recoveryOverlapMs: 5_000,
  /** Channel reads a recovery may fire at once before pacing (the server allows a burst of 100). */
  recoveryBurst: 20,
  /** Pause between channel reads past the burst: ~5/s, half the server limiter's 10/s. */
  recoverySpacingMs: 200,
  /** Tries per channel read when the server is briefly unavailable or rate limited. */
  recoveryAttempts: 3,
  /** First retry delay of a recovery read (doubled per attempt). */
  recoveryRetryMs: 500,
  /** How long `start()` waits for the first WebSocket `hello` before going on (it keeps retrying). */
  startConnectTimeoutMs: 10_000,
  /** Grace for a polite WebSocket close on `stop()` before the socket is cut. */
  closeGraceMs: 1_000,
  /** How long `stop()` lets queued inbound events reach the core before giving up on them. */
  stopDrainMs: 5_000,
  /** The client library's defaults: 3 s between reconnects plus up to 2 s of jitter. */
  webSocketMinRetryMs: 3_000,
  webSocketJitterMs: 2_000,
  /** Edits stop this long before `PostEditTimeLimit`, so an edit in flight is not refused. */
  editLimitMarginMs: 10_000,
} as const

/**
 * Defaults that never trip the server's limiter (10/s per IP, burst 100): per channel at most 5
 * posts/edits/deletes per 2 s keeps a thread readable; server-wide 8 calls per 1 s leaves room
 * for reads (profiles, recovery) under the 10/s.
 */
export const DEFAULT_RATE_RULES: RateRule[] = [
  { scope: "channel", ops: ["post", "edit", "delete"], max: 5, perMs: 2_000 },
  { scope: "workspace", ops: ALL_OPS, max: 8, perMs: 1_000 },
]
