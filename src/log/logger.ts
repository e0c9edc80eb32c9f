// Structured logs (pino) with secrets scrubbed wherever they sit (redact.ts): secret-looking
// keys, registered secret values, credentials in URLs, nested error causes. Every room takes a
// `Logger` so tests can pass a silent one.
import { pino, type Logger as PinoLogger } from "pino"
import { scrub, scrubString } from "./redact.ts"

export { registerSecret } from "./redact.ts"

export type Logger = Pick<PinoLogger, "debug" | "info" | "warn" | "error" | "child">

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? "info",
      base: undefined,
      serializers: { err: (e: unknown) => scrub(e) },
      formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === "string" ? scrubString(a) : a)) as typeof args
          return method.apply(this, scrubbed)
        },
      },
    },
    (opts.destination as Parameters<typeof pino>[1]) ?? pino.destination(2),
  )
}

export const silentLogger: Logger = pino({ level: "silent" })
