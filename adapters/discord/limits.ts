// Every limit and default of the Discord adapter in one table, each with the reason for its value
// (the Discord facts behind them: docs/discord.md). Nothing else in the folder hard-codes a number
// that a person might want to tune.
import type { RateRule } from "../../src/chat/types.ts"

export const LIMITS = {
  /** Discord's REST root; `/v10` is appended by discord.js, so it must not be here (docs/discord.md, trap 16). */
  apiUrl: "https://discord.com/api",
  /** `content` holds at most 2,000 characters; a little headroom so our count never exceeds Discord's. */
  maxMessageLength: 1_990,
  /** Continue in a new message before the cap: a paragraph boundary past here reads better than a hard cut. */
  softMessageLength: 1_900,
  /** One action row of buttons; more rows push the text off small screens, and selects take over beyond. */
  maxActions: 5,
  /** Discord cuts button labels at 80 characters. */
  maxActionLabel: 80,
  /** `custom_id` is 1–100 characters; ours carry the opaque action id plus a deadline. */
  maxCustomId: 100,
  /** A string select offers at most 25 options, each label and value at most 100 characters. */
  maxSelectOptions: 25,
  maxSelectText: 100,
  /** Select placeholders are at most 150 characters. */
  maxPlaceholder: 150,
  /** Thread names are 1–100 characters. */
  maxThreadName: 100,
  /** Threads the relay opens archive after a week without messages (the longest Discord offers); a reply unarchives. */
  threadArchiveMinutes: 10_080,
  /** Used when a request gives no usable thread name. */
  defaultThreadName: "Switchboard session",
  /** Slash command descriptions and option descriptions are 1–100 characters. */
  maxCommandDescription: 100,
  /** An autocomplete answer lists at most 25 choices; choices on an option at most 25. */
  maxChoices: 25,
  /** Edits of messages older than 1 h have their own scarce limit (30046): roll over to a new message before. */
  maxEditAgeMs: 55 * 60 * 1000,
  /** A bot without boosted servers may upload 10 MiB per file. */
  maxUploadBytes: 10 * 1024 * 1024,
  /** A REST call with no answer by then is a transient failure (delivery retries with newer content). */
  restTimeoutMs: 15_000,
  /** discord.js retries nothing itself: the outbox owns retries, so a slow POST is never sent twice behind its back. */
  restRetries: 0,
  /** How long `start()` waits for the gateway to be ready before going on (discord.js keeps trying). */
  startReadyTimeoutMs: 30_000,
  /** How long `stop()` lets queued inbound events reach the core. */
  stopDrainMs: 5_000,
  /** Message ids remembered so live, replayed and recovered copies reach the core once. */
  seenMessages: 10_000,
  /** Channels whose newest message id is remembered for catch-up; the least recently active are forgotten. */
  trackedChannels: 2_000,
  /** Threads announced to the core (thread starts) but not opened yet, remembered so a post can open them. */
  pendingThreads: 1_000,
  pendingThreadTtlMs: 60 * 60 * 1000,
  /** Members change roles now and then: re-read after this long so access follows. */
  memberTtlMs: 5 * 60 * 1000,
  maxMembers: 5_000,
  /** Messages per history read (Discord's maximum). */
  historyPage: 100,
  /** Pages read per channel in one catch-up; a channel with more missed messages is cut (and logged). */
  historyPagesMax: 10,
  /** Catch-up reads this much before the gap started in channels where nothing was seen yet. */
  catchupOverlapMs: 10_000,
  /** Tries per history read when Discord is briefly unavailable or rate limited. */
  catchupAttempts: 3,
  catchupRetryMs: 500,
  /** Members searched per user look-up (names in access rules). */
  memberSearchLimit: 10,
} as const

/**
 * Defaults that keep the outbox inside Discord's buckets (docs/discord.md "Rate limits"): message
 * POST and PATCH share one bucket per channel, commonly 5 per 5 s (a thread is its own channel);
 * deletes have their own bucket but are counted with them to stay simple and safe; reactions
 * allow about 1 per 250 ms per channel; typing is its own small bucket; every request of the bot
 * counts against 50 per second, of which 40 leaves room for reads and interaction answers.
 */
export const DEFAULT_RATE_RULES: RateRule[] = [
  { scope: "channel", ops: ["post", "edit", "delete", "upload"], max: 5, perMs: 5_000 },
  { scope: "channel", ops: ["react"], max: 4, perMs: 1_000 },
  { scope: "channel", ops: ["typing"], max: 5, perMs: 5_000 },
  { scope: "workspace", ops: ["post", "edit", "delete", "upload", "react", "typing"], max: 40, perMs: 1_000 },
]
