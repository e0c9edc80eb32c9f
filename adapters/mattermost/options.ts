// What the Mattermost adapter is configured with (a plain object; the app validates its config
// with zod), and the one check the adapter itself makes on it.
import type { RateRule } from "../../src/chat/types.ts"
import type { Logger } from "../../src/log/logger.ts"

export interface MattermostOptions {
  /** Server root, e.g. `https://chat.example.com` (no `/api/v4`). */
  url: string
  /** The bot account's access token. Never logged. */
  token: string
  /**
   * Channels to serve, by id or name (`town-square` or `~town-square`; a name matches in every
   * team). Empty or absent: every channel the bot is in. Direct messages are always served.
   */
  channels?: string[]
  /** Serve only this team's channels (id or name); direct messages are always served. */
  team?: string
  /** Base URL at which the Mattermost server reaches the relay; enables buttons and selects. */
  publicUrl?: string
  /** HMAC key that signs button contexts; required with `publicUrl`. Never logged. */
  secret?: string
  /** Path of the button callback route; default `/mattermost/actions`. */
  callbackPath?: string
  /** Addresses (IPs or CIDR ranges) allowed to call the button route: the Mattermost server's. */
  callbackAllowFrom?: string[]
  /** Roll an answer into a new post past this length; default 3000. */
  softPostLength?: number
  /** The outbox's limits; defaults never trip the server's limiter. */
  rateRules?: RateRule[]
  log: Logger
  /** Reconnect pacing; defaults are the client library's (3000 ms + up to 2000 ms jitter). */
  webSocket?: { minRetryMs?: number; jitterMs?: number }
}

/** Throws a clear Error for options the adapter cannot run with. */
export function checkOptions(opts: MattermostOptions): void {
  if (!opts.url) throw new Error("mattermost: `url` (the server root, e.g. https://chat.example.com) is required")
  if (!opts.token) throw new Error("mattermost: `token` (the bot account's access token) is required")
  if (opts.publicUrl && !opts.secret) {
    throw new Error("mattermost: `secret` is required when `publicUrl` is set (it signs button callbacks)")
  }
  if (opts.callbackPath !== undefined && !opts.callbackPath.startsWith("/")) {
    throw new Error(`mattermost: \`callbackPath\` must start with "/" (got "${opts.callbackPath}")`)
  }
}
