// Socket Mode: Bolt's SocketModeReceiver (the only place its ping timeouts can be set,
// test/harness/slack/README.md "Bolt") with the library's own reconnect switched off and ours
// in its place. The library's loop retries apps.connections.open through the WebClient's retry
// policy and gives up on network errors, after which a reconnect's rejection goes unhandled
// (docs/slack.md "Traps"); ours waits with the relay's jittered backoff and never stops until
// `stop()`. A refused app token at the first connect is a start-up error.
import { SocketModeReceiver, webApi } from "@slack/bolt"
import type { Logger } from "../../src/log/logger.ts"
import { backoffDelay, type BackoffOptions } from "../../src/timing/backoff.ts"
import { withDeadline } from "../../src/timing/deadline.ts"
import { boltLogger, webClientOptions } from "./client.ts"
import { LIMITS } from "./limits.ts"

/** apps.connections.open answers that mean the app token itself is wrong. */
const REFUSED = new Set(["invalid_auth", "not_authed", "not_allowed_token_type", "account_inactive", "token_revoked", "missing_scope", "team_disabled"])

export interface SocketOptions {
  appToken: string
  apiUrl: string
  timeoutMs: number
  clientPingTimeoutMs: number
  serverPingTimeoutMs: number
  reconnect: BackoffOptions
  log: Logger
}

type Client = SocketModeReceiver["client"]

export class SocketLink {
  readonly receiver: SocketModeReceiver
  private readonly client: Client
  private readonly opts: SocketOptions
  private readonly log: Logger
  private stopping = false
  private looping = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private wake: (() => void) | undefined

  constructor(opts: SocketOptions) {
    this.opts = opts
    this.log = opts.log
    this.receiver = new SocketModeReceiver({
      appToken: opts.appToken,
      logger: boltLogger(opts.log),
      clientPingTimeout: opts.clientPingTimeoutMs,
      serverPingTimeout: opts.serverPingTimeoutMs,
      autoReconnectEnabled: false,
      installerOptions: { clientOptions: webClientOptions(opts.apiUrl, opts.timeoutMs, opts.log) },
    })
    this.client = this.receiver.client
    this.client.on("disconnected", () => {
      if (this.stopping || this.looping) return
      this.log.warn("Slack Socket Mode connection closed; reconnecting")
      void this.connect(false)
    })
  }

  /**
   * The first connection: resolves once connected, or after `waitMs` while it keeps trying in
   * the background; rejects when Slack refuses the app token.
   */
  async start(waitMs: number): Promise<void> {
    let late = false
    const first = this.connect(true).catch((err: unknown) => {
      if (!late) throw err
      this.log.error({ err }, "Slack Socket Mode gave up: the app-level token was refused")
    })
    const outcome = await withDeadline(first, waitMs)
    if (!outcome.done) {
      late = true
      this.log.warn("Slack Socket Mode not connected yet; retrying in the background")
    }
  }

  async stop(): Promise<void> {
    this.stopping = true
    clearTimeout(this.timer)
    this.wake?.()
    await withDeadline(this.client.disconnect(), LIMITS.stopDrainMs)
  }

  /** Connects, retrying with backoff until connected or stopped. `first`: a refused token rejects. */
  private async connect(first: boolean): Promise<void> {
    this.looping = true
    try {
      for (let attempt = 0; !this.stopping; attempt++) {
        try {
          await this.client.start()
          if (!this.stopping) this.log.info(first && attempt === 0 ? "Slack Socket Mode connected" : "Slack Socket Mode reconnected")
          return
        } catch (err) {
          if (this.stopping) return
          const code = err instanceof webApi.WebAPIPlatformError ? err.data.error : undefined
          if (code && REFUSED.has(code)) {
            const text = `slack: the app-level token was refused by apps.connections.open (${code}). Create one under Basic Information → App-Level Tokens with the connections:write scope and set SLACK_APP_TOKEN.`
            if (first) throw new Error(text, { cause: err })
            this.log.error({ code }, text)
          } else {
            this.log.warn({ err, attempt }, "Slack Socket Mode connect failed; retrying")
          }
          await this.pause(backoffDelay(attempt, this.opts.reconnect))
        }
      }
    } finally {
      this.looping = false
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve
      this.timer = setTimeout(resolve, ms)
    })
  }
}
