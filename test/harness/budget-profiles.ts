// Budget profiles shaped like the three platforms, for delivery tests and the benchmark: the
// capabilities delivery reads (and paces itself by), and beside them each platform's
// published limits as the platform itself enforces them, for the fake to apply independently.
import type { ChatCapabilities } from "../../src/chat/types.ts"
import { memoryCapabilities } from "../../adapters/memory/adapter.ts"
import type { PlatformLimit } from "../../adapters/memory/budget.ts"

export const profiles = {
  /** Discord: 2,000 characters; about 5 edits per 5 s per channel (posts share the bucket). */
  discord: {
    ...memoryCapabilities,
    maxMessageLength: 2_000,
    softMessageLength: 1_900,
    rateRules: [{ scope: "channel", ops: ["post", "edit", "delete"], max: 5, perMs: 5_000 }],
  },
  /** Slack: chat.update ~50/min per workspace, chat.postMessage ~1/s per channel. */
  slack: {
    ...memoryCapabilities,
    maxMessageLength: 12_000,
    rateRules: [
      { scope: "workspace", ops: ["edit"], max: 50, perMs: 60_000 },
      { scope: "channel", ops: ["post"], max: 1, perMs: 1_000 },
    ],
  },
  /** Mattermost with its rate limiter on: 10/s for everything from one client. */
  mattermost: {
    ...memoryCapabilities,
    maxMessageLength: 16_383,
    softMessageLength: 8_000,
    rateRules: [{ scope: "workspace", ops: ["post", "edit", "delete", "react", "typing", "upload"], max: 10, perMs: 1_000 }],
  },
} satisfies Record<string, ChatCapabilities>

export type ProfileName = keyof typeof profiles

const DOC = "platforms.md"

/**
 * What each platform publishes about its own limits (platforms.md), kept apart from the
 * profiles above: the fake platform enforces these, delivery never reads them.
 */
export const publishedLimits = {
  discord: [
    { scope: "channel", ops: ["post", "edit"], kind: "window", max: 5, perMs: 5_000, source: `${DOC} §1, §4.4: message create/edit bucket per channel, commonly 5 per 5 s` },
    { scope: "workspace", ops: ["post", "edit", "delete", "react", "typing", "upload"], kind: "window", max: 50, perMs: 1_000, source: `${DOC} §4.4: global limit, 50 requests per second per bot` },
  ],
  slack: [
    { scope: "workspace", ops: ["edit"], kind: "window", max: 50, perMs: 60_000, source: `${DOC} §3.5: chat.update is Tier 3, about 50 per minute for the whole workspace` },
    { scope: "channel", ops: ["post"], kind: "window", max: 1, perMs: 1_000, source: `${DOC} §3.5: chat.postMessage about 1 per second per channel` },
    { scope: "workspace", ops: ["react"], kind: "window", max: 50, perMs: 60_000, source: `${DOC} §3.5: reactions.add is Tier 3` },
  ],
  mattermost: [
    {
      scope: "workspace",
      ops: ["post", "edit", "delete", "react", "typing", "upload"],
      kind: "gcra",
      max: 10,
      perMs: 1_000,
      burst: 100,
      source: `${DOC} §2.7: RateLimitSettings PerSec 10, MaxBurst 100, GCRA per IP (one relay = one IP) when the server limiter is on`,
    },
  ],
} satisfies Record<ProfileName, PlatformLimit[]>
