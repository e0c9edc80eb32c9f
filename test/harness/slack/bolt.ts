// Builds a real @slack/bolt App wired to a running fake the way tests (and the adapter) should:
// a custom SocketModeReceiver (clientPingTimeout is only reachable there), `slackApiUrl` on both
// clients, an explicit `retryConfig` (else Socket Mode injects retries:100 into shared options),
// no `headers` (they would override the app token), and a recording logger. The fake must be
// running before `new App`, because Bolt calls auth.test in the constructor (README "Bolt").
import { App, LogLevel, SocketModeReceiver, type Logger } from "@slack/bolt"
import { WebClient, type WebClientOptions } from "@slack/web-api"
import type { FakeSlack } from "./index.ts"

export interface LogLine {
  level: "debug" | "info" | "warn" | "error"
  text: string
}

/** A Bolt/socket-mode Logger that keeps lines in memory (printing nothing unless `echo`). */
export function recordingLogger(lines: LogLine[], echo: LogLevel | undefined = undefined): Logger {
  let level = LogLevel.DEBUG
  let name = ""
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR]
  const write = (l: LogLine["level"], lvl: LogLevel) => (...msg: unknown[]) => {
    const text = msg.map((m) => (m instanceof Error ? m.message : typeof m === "string" ? m : JSON.stringify(m))).join(" ")
    lines.push({ level: l, text: name ? `${name} ${text}` : text })
    if (echo !== undefined && order.indexOf(lvl) >= order.indexOf(echo)) console.error(`[bolt ${l}] ${text}`)
  }
  return {
    debug: write("debug", LogLevel.DEBUG),
    info: write("info", LogLevel.INFO),
    warn: write("warn", LogLevel.WARN),
    error: write("error", LogLevel.ERROR),
    setLevel: (l: LogLevel) => {
      level = l
    },
    getLevel: () => level,
    setName: (n: string) => {
      name = n
    },
  }
}

export interface BoltForFakeOptions {
  /** Socket Mode ping cadence/timeout and the reconnect delay unit; default 1500 ms (busy CI tolerant). */
  clientPingTimeout?: number
  /** Listener clients throw WebAPIRateLimitedError on 429 instead of pausing the queue; default true. */
  rejectRateLimitedCalls?: boolean
  /** Bolt's own self-filter; default true, as in production. */
  ignoreSelf?: boolean
  logger?: Logger
  logLevel?: LogLevel
}

/** The WebClient options a test client (or the adapter) should use against the fake. */
export function clientOptionsFor(fake: FakeSlack, rejectRateLimitedCalls = true): WebClientOptions {
  return { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls }
}

export function webClientFor(fake: FakeSlack, opts: { rejectRateLimitedCalls?: boolean; logger?: Logger } = {}): WebClient {
  return new WebClient(fake.bot.token, { ...clientOptionsFor(fake, opts.rejectRateLimitedCalls ?? true), logger: opts.logger })
}

/** A Bolt App in Socket Mode against the fake; call `await app.start()` and, on teardown, `await app.stop()`. */
export function createBoltApp(fake: FakeSlack, opts: BoltForFakeOptions = {}): App {
  const logger = opts.logger ?? recordingLogger([])
  const logLevel = opts.logLevel ?? LogLevel.INFO
  const receiver = new SocketModeReceiver({
    appToken: fake.bot.appToken,
    clientPingTimeout: opts.clientPingTimeout ?? 1500,
    logger,
    logLevel,
    installerOptions: { clientOptions: clientOptionsFor(fake, true) },
  })
  return new App({
    token: fake.bot.token,
    receiver,
    logger,
    logLevel,
    ignoreSelf: opts.ignoreSelf ?? true,
    clientOptions: clientOptionsFor(fake, opts.rejectRateLimitedCalls ?? true),
  })
}
