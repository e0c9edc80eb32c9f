// Budget profiles shaped like the three platforms, for delivery tests and the benchmark.
import type { ChatCapabilities } from "../../src/chat/types.ts"
import { memoryCapabilities } from "../../adapters/memory/adapter.ts"

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
