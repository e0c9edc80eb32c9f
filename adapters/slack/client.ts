// The connection to one Slack workspace: WebClient options (the configured `apiUrl`, our own
// retry ownership: no client retries, 429s thrown, a timeout on every call, never `headers`),
// the bot's identity and granted scopes read at start (clear errors for a refused token and for
// missing scopes), the Bolt App built over a receiver (socket.ts or http-receiver.ts) without
// Bolt's constructor-time auth.test, and Bolt's log lines routed into ours.
// Library traps: test/harness/slack/README.md "Bolt" and docs/slack.md.
import { App, LogLevel, type Logger as BoltLogger, type Receiver, webApi } from "@slack/bolt"
import { ChatError } from "../../src/chat/errors.ts"
import type { Logger } from "../../src/log/logger.ts"
import type { Api } from "./api.ts"
import { BOT_SCOPES } from "./manifest.ts"

export interface Identity {
  team: string
  teamName: string
  /** The bot user (`U…`): its messages come back with this `user`. */
  userId: string
  /** The bot (`B…`): its messages carry this `bot_id`. */
  botId: string
  name: string
  /** Granted bot scopes (`x-oauth-scopes`); undefined when Slack did not say. */
  scopes: string[] | undefined
}

/** Bolt's and the WebClient's Logger interface over ours (their info chatter goes to debug). */
export function boltLogger(log: Logger): BoltLogger {
  const one = (m: unknown) => {
    if (m instanceof Error) return m.message
    if (typeof m === "string") return m
    try {
      return JSON.stringify(m)
    } catch {
      return String(m)
    }
  }
  const text = (msg: unknown[]) => msg.map(one).join(" ")
  return {
    debug: (...msg) => log.debug({ source: "bolt" }, text(msg)),
    info: (...msg) => log.debug({ source: "bolt" }, text(msg)),
    warn: (...msg) => log.warn({ source: "bolt" }, text(msg)),
    error: (...msg) => log.error({ source: "bolt" }, text(msg)),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  }
}

/**
 * Options for every WebClient of the adapter. `retries: 0` and `rejectRateLimitedCalls`: delivery
 * owns retries and 429 pauses (a client-side retry could post twice, and a default 429 pauses
 * the whole client queue). A fresh object each time: Bolt and Socket Mode write into theirs.
 */
export function webClientOptions(apiUrl: string, timeoutMs: number, log: Logger): webApi.WebClientOptions {
  return { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: timeoutMs, logger: boltLogger(log) }
}

export function createWebClient(token: string, apiUrl: string, timeoutMs: number, log: Logger): webApi.WebClient {
  return new webApi.WebClient(token, webClientOptions(apiUrl, timeoutMs, log))
}

/** auth.test with the bot token: who we are, in which workspace, with which scopes. */
export async function readIdentity(api: Api, apiUrl: string): Promise<Identity> {
  let res: Record<string, unknown>
  try {
    res = await api.read("check the bot token (auth.test)", "auth.test")
  } catch (err) {
    const code = err instanceof ChatError ? err.code : "invalid"
    if (code === "forbidden") {
      throw new Error(`slack: the bot token was refused (${(err as Error).message}). Copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions into SLACK_BOT_TOKEN, and reinstall the app if it was revoked.`, { cause: err })
    }
    throw new Error(`slack: cannot reach the Web API at ${apiUrl} (${(err as Error).message})`, { cause: err })
  }
  const meta = (res.response_metadata ?? {}) as { scopes?: string[] }
  const str = (v: unknown) => (typeof v === "string" ? v : "")
  if (!str(res.user_id) || !str(res.team_id)) throw new Error("slack: auth.test did not name the bot user and workspace; is this a bot token?")
  return {
    team: str(res.team_id),
    teamName: str(res.team),
    userId: str(res.user_id),
    botId: str(res.bot_id),
    name: str(res.user),
    scopes: Array.isArray(meta.scopes) ? meta.scopes.filter((s) => s !== "") : undefined,
  }
}

/** The manifest's scopes the token lacks, split by whether the adapter can run without them. */
export function missingScopes(granted: string[] | undefined): { required: string[]; optional: string[] } {
  if (!granted) return { required: [], optional: [] }
  const has = new Set(granted)
  const missing = BOT_SCOPES.filter((s) => !has.has(s.scope))
  return { required: missing.filter((s) => s.required).map((s) => s.scope), optional: missing.filter((s) => !s.required).map((s) => s.scope) }
}

export function missingScopesError(required: string[]): Error {
  const uses = required.map((s) => `${s} (${BOT_SCOPES.find((u) => u.scope === s)?.why ?? "needed"})`).join(", ")
  return new Error(`slack: the bot token lacks required scopes: ${uses}. Add them under OAuth & Permissions (the manifest in docs/slack.md lists them all) and reinstall the app.`)
}

/**
 * The Bolt App over `receiver`. Identity comes from our own auth.test (no constructor-time call,
 * docs/slack.md "Traps"), `ignoreSelf` drops the bot's own events by these ids, no conversation store.
 */
export function createApp(opts: { token: string; identity: Identity; receiver: Receiver; apiUrl: string; timeoutMs: number; log: Logger }): App {
  return new App({
    token: opts.token,
    botId: opts.identity.botId,
    botUserId: opts.identity.userId,
    tokenVerificationEnabled: false,
    receiver: opts.receiver,
    logger: boltLogger(opts.log),
    ignoreSelf: true,
    convoStore: false,
    clientOptions: webClientOptions(opts.apiUrl, opts.timeoutMs, opts.log),
  })
}
