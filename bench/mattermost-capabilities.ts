// The capabilities the Mattermost adapter declares (before it reads the server's MaxPostSize),
// built from its limits table, for benchmarks that run delivery on the in-memory platform.
import { DEFAULT_RATE_RULES, LIMITS } from "../adapters/mattermost/limits.ts"
import type { ChatCapabilities } from "../src/chat/types.ts"

export const mattermostCapabilities: ChatCapabilities = {
  maxMessageLength: LIMITS.maxPostSizeFallback - LIMITS.postSizeMargin,
  softMessageLength: LIMITS.softPostLength,
  markdown: "gfm",
  buttons: true,
  selects: true,
  reactions: true,
  ephemeral: true,
  maxActions: LIMITS.maxActions,
  maxActionLabel: LIMITS.maxActionLabel,
  rateRules: DEFAULT_RATE_RULES,
}

