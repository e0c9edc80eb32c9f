// Structured logs (pino) with secrets redacted by key, wherever they sit in the object.
// Every room takes a `Logger` so tests can pass a silent one.
import { pino, type Logger as PinoLogger } from "pino"

export type Logger = Pick<PinoLogger, "debug" | "info" | "warn" | "error" | "child">

/** Keys whose values never reach a log line. */
export const REDACTED_KEYS = [
  "token",
  "botToken",
  "appToken",
  "password",
  "secret",
  "authorization",
  "Authorization",
  "apiKey",
  "cookie",
]

const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`])

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    { level: opts.level ?? "info", redact: { paths, censor: "[redacted]" }, base: undefined },
    (opts.destination as Parameters<typeof pino>[1]) ?? pino.destination(2),
  )
}

export const silentLogger: Logger = pino({ level: "silent" })
