// The fake's own table of Discord's limits, each with the reason it has that value (facts in
// ./README.md, "Limits" and "Rate limits"). The relay keeps its own table; never import one into
// the other, or a wrong number would pass every test.

/** Message body limits; a violation is answered 400 / 50035 Invalid Form Body. */
export const MESSAGE_LIMITS = {
  /** `content` is at most 2,000 characters for bots. */
  contentChars: 2000,
  /** At most 10 embeds per message. */
  embeds: 10,
  /** An embed description is at most 4,096 characters. */
  embedDescriptionChars: 4096,
  /** All text of all embeds of a message together is at most 6,000 characters. */
  embedTotalChars: 6000,
  /** Legacy (non components-v2) messages hold at most 5 action rows. */
  actionRows: 5,
  /** An action row holds at most 5 buttons. */
  buttonsPerRow: 5,
  /** A select menu fills its action row alone. */
  selectsPerRow: 1,
  /** `custom_id` is 1–100 characters and unique within one message. */
  customIdChars: 100,
  /** A button label is at most 80 characters. */
  buttonLabelChars: 80,
  /** A select menu has 1–25 options. */
  selectOptions: 25,
  /** A thread (or forum post) name is 1–100 characters. */
  threadNameChars: 100,
  /** At most 10 attachments per message. */
  attachments: 10,
  /** Default upload limit for a bot without boosts: 10 MiB (`attachment_size_limit`). */
  attachmentBytes: 10 * 1024 * 1024,
  /** `GET /channels/{id}/messages` returns 1–100 messages, 50 by default. */
  fetchMax: 100,
  fetchDefault: 50,
  /** An autocomplete answer offers at most 25 choices. */
  autocompleteChoices: 25,
} as const

/** A fixed-window bucket: `limit` requests, then the window resets `windowMs` after its first request. */
export interface BucketRule {
  limit: number
  windowMs: number
}

/** The REST rate limits the fake enforces. Buckets are per bot and per channel (the major parameter). */
export interface RateLimitTable {
  /** POST and PATCH of channel messages share one bucket per channel: commonly 5 per 5 s. */
  messages: BucketRule
  /** DELETE of a message has its own per-channel bucket (reported as 5 per 1 s; assumed). */
  messageDelete: BucketRule
  /** PUT/DELETE of the bot's own reaction: commonly 1 per 0.25 s per channel. */
  reactions: BucketRule
  /** POST typing: its own per-channel bucket (5 per 5 s; assumed). */
  typing: BucketRule
  /** Edits of messages older than 1 h have an extra per-channel limit (about 3 per 20 s, unverified) → 30046. */
  oldMessageEdits: BucketRule
  /** 50 requests per second per bot across all routes; interaction callbacks are exempt. */
  global: BucketRule
}

export const DEFAULT_RATE_LIMITS: RateLimitTable = {
  messages: { limit: 5, windowMs: 5000 },
  messageDelete: { limit: 5, windowMs: 1000 },
  reactions: { limit: 1, windowMs: 250 },
  typing: { limit: 5, windowMs: 5000 },
  oldMessageEdits: { limit: 3, windowMs: 20_000 },
  global: { limit: 50, windowMs: 1000 },
}

export const TIME_LIMITS = {
  /** A message older than this counts as "old" for the extra edit limit (30046). */
  oldMessageMs: 60 * 60 * 1000,
  /** An interaction must get its callback within 3 s, else the person sees "This interaction failed". */
  interactionDeadlineMs: 3000,
  /** The interaction token then stays valid 15 min for `@original` edits and follow-ups. */
  interactionTokenMs: 15 * 60 * 1000,
  /** More than 10,000 responses of 401/403/429 per 10 min get an IP banned (counted, not enforced). */
  invalidRequestWindowMs: 10 * 60 * 1000,
} as const

export const GATEWAY_LIMITS = {
  /** Discord says ~41 s; the fake defaults to 1 s so zombie detection is exercised quickly. */
  heartbeatIntervalMs: 1000,
  /** A connection may send 120 events per 60 s, else it is closed with 4008. */
  sendPerMinute: 120,
  /** `session_start_limit` in `GET /gateway/bot`: 1,000 identifies per day, one at a time. */
  sessionStarts: 1000,
  sessionStartResetMs: 24 * 60 * 60 * 1000,
  maxConcurrency: 1,
  /** Dispatches kept per session for RESUME replay (Discord keeps a bounded backlog too). */
  replayBuffer: 10_000,
} as const
