// What the Discord adapter is configured with (a plain object; the app validates its config with
// zod), and the one check the adapter itself makes on it. The setup behind each option is in
// docs/discord.md.
import type { RateRule } from "../../src/chat/types.ts"
import type { Logger } from "../../src/log/logger.ts"

export interface DiscordOptions {
  /**
   * The bot token (Developer Portal → your application → Bot → Reset Token). Config
   * `discord.token`, usually from the environment variable `DISCORD_TOKEN`. Never logged.
   */
  token: string
  /** The application id (for slash commands and the invite URL); default: what the gateway's READY says. */
  applicationId?: string
  /** REST root without `/v10`, default `https://discord.com/api`: for proxies and tests. */
  apiUrl?: string
  /**
   * Servers (guilds) to serve, by id or name. Absent or empty: every server the bot is in.
   * Direct messages are always delivered (the access rules decide about them).
   */
  guilds?: string[]
  /**
   * Channels to serve, by id or name (`agents` or `#agents`), within the served guilds; threads
   * and forum posts follow their parent channel. Absent or empty: every channel the bot can read.
   */
  channels?: string[]
  /** Buttons and selects for approvals and questions; `false`: reactions and replies only. Default true. */
  components?: boolean
  /** Register the relay's commands as slash commands in each served guild at start. Default true. */
  slashCommands?: boolean
  /** Continue an answer in a new message past this length (≤ 1,990); default 1,900. */
  softMessageLength?: number
  /** Largest file the relay uploads, in bytes; default 10 MiB (Discord's limit without server boosts). */
  maxUploadBytes?: number
  /** The outbox's limits; the defaults stay inside Discord's buckets. */
  rateRules?: RateRule[]
  /** A REST call without an answer by then fails as transient; default 15,000 ms. */
  restTimeoutMs?: number
  /**
   * Pause between gateway identifies. Default: discord.js's (about 5 s per identify, Discord's
   * rule). Only tests with a single process against a fake should lower it.
   */
  identifyIntervalMs?: number
  log: Logger
}

/** Throws a clear Error for options the adapter cannot run with. */
export function checkOptions(opts: DiscordOptions): void {
  if (!opts.token) throw new Error("discord: `token` (the bot token, usually from DISCORD_TOKEN) is required")
  if (/^Bot\s/i.test(opts.token)) throw new Error('discord: `token` must be the bare bot token, without the "Bot " prefix')
  if (opts.apiUrl !== undefined) {
    let url: URL
    try {
      url = new URL(opts.apiUrl)
    } catch {
      throw new Error(`discord: \`apiUrl\` is not a URL: "${opts.apiUrl}"`)
    }
    if (/\/v\d+\/?$/.test(url.pathname)) throw new Error(`discord: \`apiUrl\` must end before the version (e.g. https://discord.com/api, not …/v10); got "${opts.apiUrl}"`)
  }
  if (opts.softMessageLength !== undefined && !(opts.softMessageLength >= 200 && opts.softMessageLength <= 1_990)) {
    throw new Error(`discord: \`softMessageLength\` must be between 200 and 1990 (got ${opts.softMessageLength})`)
  }
  if (opts.applicationId !== undefined && !/^\d+$/.test(opts.applicationId)) {
    throw new Error(`discord: \`applicationId\` must be the numeric application id (got "${opts.applicationId}")`)
  }
}
