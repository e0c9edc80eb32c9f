// Every limit and default of the Slack adapter in one table, each with the reason for its value
// (Slack's numbers: test/harness/slack/README.md "Limits"/"Rate limits" and docs/slack.md).
// Nothing else in the folder hard-codes a number that a person might want to tune.
import type { RateRule } from "../../src/chat/types.ts"

const MINUTE = 60_000

export const LIMITS = {
  /** Slack's cap on markdown blocks, cumulative per message (`msg_blocks_too_long` past it). */
  markdownBlockChars: 12_000,
  /**
   * What delivery may hand us per message: 1,000 under the markdown cap, room for what format.ts
   * adds (a fence around each table) and for Slack counting a little differently from UTF-16.
   */
  maxMessageChars: 11_000,
  /** Slack recommends messages of 4,000 characters or less (docs/slack.md); longer ones fold behind "Show more". */
  softMessageChars: 4_000,
  /** The `text` fallback (notifications, screen readers) is a preview, not the message. */
  fallbackChars: 3_000,
  /** More buttons than this wrap into rows people skim past; Slack allows 25 per actions block. */
  maxActions: 5,
  /** Slack refuses button text over 75 characters (`invalid_blocks`). */
  maxActionLabel: 75,
  /** static_select: at most 100 options, option text ≤ 75, value ≤ 150, placeholder ≤ 150. */
  maxOptions: 100,
  maxOptionLabel: 75,
  maxOptionValue: 150,
  maxPlaceholder: 150,
  /** `chat.appendStream` takes ≤ 12,000 markdown characters per call; the held-back tail (stream.ts) fits the rest. */
  streamMaxAppend: 11_000,
  /** One streamed message holds what an ordinary one does, so it can be replaced by a final chat.update. */
  streamMaxTotal: 11_000,
  /** A trailing fragment that may still grow into a broadcast mention is held back at most this long. */
  streamHoldChars: 64,
  /** Every Web API call gives up after this (WebClient `timeout`); delivery retries as transient. */
  requestTimeoutMs: 15_000,
  /** response_url answers (ephemerals, replace_original) give up after this. */
  responseTimeoutMs: 10_000,
  /** A file download or upload body may take longer than an API call. */
  transferTimeoutMs: 60_000,
  /** Reads (profiles, channels) are retried this many times on a transient failure. */
  readAttempts: 2,
  readRetryMs: 300,
  /** Message keys (`channel:ts`) remembered so app_mention + message and redeliveries reach the core once. */
  seenMessages: 10_000,
  /** Click/command trigger ids remembered so a redelivered envelope is handled once. */
  seenTriggers: 10_000,
  /** Profiles and user-group memberships change rarely; re-read now and then so changes take effect. */
  profileTtlMs: 5 * MINUTE,
  maxProfiles: 2_000,
  /** Channel names and types barely change; re-read every half hour for renames. */
  channelTtlMs: 30 * MINUTE,
  maxChannels: 5_000,
  /** users.list / conversations.list are Tier 2: the directory used for `lookup` is read at most this often. */
  directoryTtlMs: 10 * MINUTE,
  directoryPageSize: 200,
  /** A lookup never reads more pages than this (200 each): bounded start-up in very large workspaces. */
  directoryMaxPages: 50,
  /** The bot's posts we remember with their thread (reactions on them need no read). */
  maxKnownPosts: 5_000,
  /** recentPosts reads at most this many pages of a thread (crash recovery only). */
  recentPostsPages: 5,
  /** After an upload, Slack shares the file asynchronously: look for the message this many times. */
  uploadShareLookups: 3,
  uploadShareRetryMs: 400,
  /** assistant.threads.setStatus clears itself after 2 minutes: refresh at most every 90 s (docs/slack.md). */
  statusRefreshMs: 90_000,
  /** What the status line says while the agent works (Slack shows it after the app's name). */
  typingStatus: "is working…",
  /** Slack refuses a signed request older than 5 minutes (replays); we refuse the same skew either way. */
  signatureMaxAgeSec: 300,
  /** Events, clicks and commands are small JSON or form bodies. */
  httpMaxBodyBytes: 1024 * 1024,
  /** Slack wants the HTTP answer within 3 s; our listeners ack at once, this bounds a stuck one. */
  httpAckWaitMs: 2_500,
  /** Socket Mode: ping cadence and pong timeout (the library's default). */
  clientPingTimeoutMs: 5_000,
  /** Socket Mode: silence from the server after its first ping this long means a dead link. */
  serverPingTimeoutMs: 30_000,
  /** Our reconnect loop (socket.ts): first delay and cap, with jitter (src/timing/backoff.ts). */
  reconnectInitialMs: 1_000,
  reconnectMaxMs: 60_000,
  /** How long `start()` waits for the first Socket Mode `hello` before going on (it keeps trying). */
  startConnectTimeoutMs: 10_000,
  /** How long `stop()` lets queued inbound events reach the core before giving up on them. */
  stopDrainMs: 5_000,
  /** The slash command when none is configured. */
  commandName: "/switchboard",
  /** Where the relay's HTTP server receives events, clicks and commands in HTTP mode. */
  eventsPath: "/slack/events",
  /** Slack's own Web API. */
  apiUrl: "https://slack.com/api/",
} as const

/**
 * The outbox's budgets, each under Slack's per-method tier with headroom for the calls the
 * outbox does not schedule (reads, response_url answers do not count against chat.update).
 */
export const DEFAULT_RATE_RULES: RateRule[] = [
  // chat.postMessage: about 1 per second per channel, short bursts allowed.
  { scope: "channel", ops: ["post"], max: 1, perMs: 1_000 },
  // chat.postMessage workspace-wide: "several hundred per minute" (docs/slack.md); 200 stays under.
  { scope: "workspace", ops: ["post"], max: 200, perMs: MINUTE },
  // chat.update is Tier 3, about 50 per minute for the whole workspace: 40 leaves room for a stream's final update.
  { scope: "workspace", ops: ["edit"], max: 40, perMs: MINUTE },
  // chat.delete and reactions.add: Tier 3 each, counted per method.
  { scope: "workspace", ops: ["delete"], max: 40, perMs: MINUTE },
  { scope: "workspace", ops: ["react"], max: 40, perMs: MINUTE },
  // files.getUploadURLExternal + completeUploadExternal: Tier 4 (100/min) each, two per upload.
  { scope: "workspace", ops: ["upload"], max: 40, perMs: MINUTE },
  // chat.startStream and chat.stopStream: Tier 2 (20/min) each. Half may go at once (Slack's
  // tiers allow bursts): several answers starting together all stream; the rest are spaced.
  { scope: "workspace", ops: ["stream-start"], max: 16, perMs: MINUTE, burst: 8 },
  { scope: "workspace", ops: ["stream-stop"], max: 16, perMs: MINUTE, burst: 8 },
  // chat.appendStream: Tier 4 (100/min).
  { scope: "workspace", ops: ["stream"], max: 80, perMs: MINUTE },
  // assistant.threads.setStatus has no published number; the adapter refreshes a thread's status at most every 90 s.
  { scope: "workspace", ops: ["typing"], max: 60, perMs: MINUTE },
]
