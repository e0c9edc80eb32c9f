// The fake's own table of Slack's limits and rate tiers, each with the reason (and source) for its
// value. The fake enforces exactly these numbers; nothing here is imported from the relay, so a
// relay bug cannot hide behind a shared constant. Sources are listed in ./README.md ("Limits").

export interface Limit {
  readonly max: number
  readonly why: string
}

export const LIMITS = {
  textChars: { max: 40_000, why: "chat.postMessage/update `text`: longer is answered msg_too_long (docs: truncated past 40,000)" },
  blocksPerMessage: { max: 50, why: "Block Kit: a message holds at most 50 blocks" },
  blockIdChars: { max: 255, why: "Block Kit: block_id is at most 255 characters" },
  sectionTextChars: { max: 3000, why: "section block: `text` is at most 3,000 characters" },
  sectionFields: { max: 10, why: "section block: at most 10 `fields`" },
  sectionFieldChars: { max: 2000, why: "section block: each field is at most 2,000 characters" },
  headerTextChars: { max: 150, why: "header block: plain_text at most 150 characters" },
  markdownBlocksChars: { max: 12_000, why: "markdown blocks: 12,000 characters cumulative per message → msg_blocks_too_long" },
  actionsElements: { max: 25, why: "actions block: at most 25 elements" },
  contextElements: { max: 10, why: "context block: at most 10 elements" },
  buttonTextChars: { max: 75, why: "button: `text` at most 75 characters" },
  actionIdChars: { max: 255, why: "interactive elements: action_id at most 255 characters" },
  buttonValueChars: { max: 2000, why: "button: `value` at most 2,000 characters" },
  buttonUrlChars: { max: 3000, why: "button: `url` at most 3,000 characters" },
  selectOptions: { max: 100, why: "static selects: at most 100 options" },
  optionTextChars: { max: 75, why: "option object: `text` at most 75 characters" },
  optionValueChars: { max: 150, why: "option object: `value` at most 150 characters" },
  imageAltTextChars: { max: 2000, why: "image block: alt_text at most 2,000 characters" },
  streamMarkdownChars: { max: 12_000, why: "chat.start/append/stopStream: markdown_text at most 12,000 characters per call" },
  loadingMessages: { max: 10, why: "assistant.threads.setStatus: at most 10 loading_messages" },
  responseUrlUses: { max: 5, why: "response_url: usable up to 5 times" },
  responseUrlTtlMs: { max: 30 * 60_000, why: "response_url: valid for 30 minutes" },
  ackDeadlineMs: { max: 3000, why: "Socket Mode: an envelope must be acknowledged within 3 seconds" },
  redeliveries: { max: 3, why: "Socket Mode: an unacknowledged envelope is retried up to 3 times" },
  statusTtlMs: { max: 120_000, why: "assistant.threads.setStatus: a status clears itself after 2 minutes" },
  historyPageSize: { max: 999, why: "conversations.history/replies: `limit` is capped (Slack documents 999)" },
  listPageSize: { max: 1000, why: "users.list / conversations.list: `limit` is capped (Slack documents no more than 1,000)" },
} as const satisfies Record<string, Limit>

/** A sliding window: at most `limit` calls in any `windowMs`; `perChannel` keys it by `channel` too. */
export interface RateRule {
  readonly limit: number
  readonly windowMs: number
  readonly perChannel?: boolean
  readonly why: string
}

const MINUTE = 60_000
const tier1 = { limit: 1, windowMs: MINUTE, why: "Tier 1: 1+ per minute" }
const tier2 = { limit: 20, windowMs: MINUTE, why: "Tier 2: 20+ per minute" }
const tier3 = { limit: 50, windowMs: MINUTE, why: "Tier 3: 50+ per minute" }
const tier4 = { limit: 100, windowMs: MINUTE, why: "Tier 4: 100+ per minute" }

export const TIERS = { tier1, tier2, tier3, tier4 } as const

/**
 * Per method, per workspace (the fake has one workspace and one app). `null` = not limited by the
 * fake (Slack documents a "special" tier without numbers). Tiers follow Slack's per-method pages as
 * mirrored by slackapi/java-slack-sdk `MethodsRateLimits.java` (see README "Rate limits").
 */
export const RATE_LIMITS: Readonly<Record<string, RateRule | null>> = {
  "apps.connections.open": {
    limit: 10,
    windowMs: MINUTE,
    why: "Tier 1 (1+/min), but every Socket Mode reconnect calls it: the fake allows a burst of 10 per minute so reconnect tests are not starved",
  },
  "auth.test": null,
  "chat.postMessage": {
    limit: 5,
    windowMs: 5000,
    perChannel: true,
    why: "special: about 1 per second per channel with short bursts, modelled as 5 per 5 s per channel",
  },
  "chat.update": tier3,
  "chat.delete": tier3,
  "chat.postEphemeral": tier4,
  "chat.getPermalink": null,
  "chat.startStream": { ...tier2, why: "Tier 2 on Slack's method page (not Tier 3)" },
  "chat.appendStream": tier4,
  "chat.stopStream": { ...tier2, why: "Tier 2 on Slack's method page (not Tier 3)" },
  "assistant.threads.setStatus": null,
  "reactions.add": tier3,
  "reactions.remove": tier2,
  "conversations.info": tier3,
  "conversations.history": tier3,
  "conversations.replies": tier3,
  "conversations.open": tier3,
  "users.info": tier4,
  "users.list": tier2,
  "conversations.list": tier2,
  "usergroups.list": tier2,
  "usergroups.users.list": tier2,
  "bots.info": tier3,
  "files.getUploadURLExternal": tier4,
  "files.completeUploadExternal": tier4,
}
