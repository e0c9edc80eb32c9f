// What the Slack adapter is configured with (a plain object; the app validates its config with
// zod and fills the secrets from the environment), and the one check the adapter itself makes.
import type { RateRule } from "../../src/chat/types.ts"
import type { Logger } from "../../src/log/logger.ts"

export type SlackMode = "socket" | "http"

export interface SlackOptions {
  /** Bot User OAuth Token (`xoxb-…`, OAuth & Permissions). Supply it from `SLACK_BOT_TOKEN`. Never logged. */
  botToken: string
  /**
   * App-level token (`xapp-…`, Basic Information → App-Level Tokens, scope `connections:write`),
   * required in socket mode. Supply it from `SLACK_APP_TOKEN`. Never logged.
   */
  appToken?: string
  /**
   * Signing secret (Basic Information → App Credentials), required in http mode: every request
   * Slack sends is verified with it. Supply it from `SLACK_SIGNING_SECRET`. Never logged.
   */
  signingSecret?: string
  /** `socket` (default): Socket Mode, no public URL needed. `http`: Slack POSTs to `eventsPath` on the relay. */
  mode?: SlackMode
  /** Web API base URL; default `https://slack.com/api/` (a proxy or a test server may stand in). */
  apiUrl?: string
  /** HTTP mode: the path of the one route for events, clicks and slash commands; default `/slack/events`. */
  eventsPath?: string
  /**
   * Channels to serve, by id or name (`agents` or `#agents`). Empty or absent: every channel the
   * bot is in. Direct and group messages are always served (the core's access rules decide).
   */
  channels?: string[]
  /** The slash command, as configured in the app (manifest); default `/switchboard`. */
  commandName?: string
  /** Use Slack's native streams and assistant status where the app has them; default true. */
  streaming?: boolean
  /** Roll an answer into a new message past this length; default 4000. */
  softMessageLength?: number
  /** The outbox's limits; defaults stay under Slack's tiers (limits.ts). */
  rateRules?: RateRule[]
  log: Logger
  /** Socket Mode pacing; defaults in limits.ts. Tests shorten them. */
  socket?: { clientPingTimeoutMs?: number; serverPingTimeoutMs?: number; reconnectInitialMs?: number; reconnectMaxMs?: number }
  /** Timeout of each Web API call; default 15 s. */
  requestTimeoutMs?: number
}

/** Throws a clear Error for options the adapter cannot run with. */
export function checkOptions(opts: SlackOptions): void {
  const mode = opts.mode ?? "socket"
  if (!opts.botToken) throw new Error("slack: `botToken` (the Bot User OAuth Token, xoxb-…; set SLACK_BOT_TOKEN) is required")
  if (!opts.botToken.startsWith("xoxb-")) throw new Error("slack: `botToken` must be the Bot User OAuth Token (it starts with xoxb-)")
  if (mode !== "socket" && mode !== "http") throw new Error(`slack: \`mode\` must be "socket" or "http" (got "${String(mode)}")`)
  if (mode === "socket") {
    if (!opts.appToken) throw new Error("slack: socket mode needs `appToken` (an app-level token xapp-… with connections:write; set SLACK_APP_TOKEN)")
    if (!opts.appToken.startsWith("xapp-")) throw new Error("slack: `appToken` must be an app-level token (it starts with xapp-)")
  }
  if (mode === "http" && !opts.signingSecret) {
    throw new Error("slack: http mode needs `signingSecret` (Basic Information → Signing Secret; set SLACK_SIGNING_SECRET)")
  }
  if (opts.eventsPath !== undefined && !opts.eventsPath.startsWith("/")) {
    throw new Error(`slack: \`eventsPath\` must start with "/" (got "${opts.eventsPath}")`)
  }
  if (opts.commandName !== undefined && !/^\/[a-z0-9_-]{1,31}$/.test(opts.commandName)) {
    throw new Error(`slack: \`commandName\` must look like /switchboard (lower case, at most 32 characters; got "${opts.commandName}")`)
  }
  if (opts.apiUrl !== undefined && !/^https?:\/\//.test(opts.apiUrl)) throw new Error(`slack: \`apiUrl\` must be an http(s) URL (got "${opts.apiUrl}")`)
}

/** The Web API base with the trailing slash the client library expects. */
export function apiUrlOf(opts: SlackOptions, fallback: string): string {
  const url = opts.apiUrl ?? fallback
  return url.endsWith("/") ? url : `${url}/`
}
