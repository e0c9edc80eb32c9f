// One error class for every failed runtime call, with a code callers branch on (never the
// message text). Reads both error body shapes the server uses: legacy `{name, data:{message}}`
// and tagged `{_tag, message}`.

export type RuntimeErrorCode =
  | "not_found" // unknown session/request; for replies it means "already answered elsewhere"
  | "unauthorized" // wrong or missing basic-auth password
  | "bad_request"
  | "conflict"
  | "unavailable" // connection refused, 5xx: the request did not take effect
  | "timeout" // no answer in time: the request may or may not have taken effect
  | "unknown"

export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode
  readonly status: number | undefined
  constructor(code: RuntimeErrorCode, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause })
    this.name = "RuntimeError"
    this.code = code
    this.status = opts.status
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof RuntimeError && err.code === "not_found"
}

function codeOf(status: number | undefined): RuntimeErrorCode {
  if (status === undefined) return "unavailable"
  if (status === 404) return "not_found"
  if (status === 401 || status === 403) return "unauthorized"
  if (status === 400 || status === 422) return "bad_request"
  if (status === 409) return "conflict"
  if (status >= 500) return "unavailable"
  return "unknown"
}

function messageOf(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return typeof body === "string" && body ? body.slice(0, 300) : undefined
  const b = body as { data?: { message?: unknown }; message?: unknown; name?: unknown; _tag?: unknown }
  for (const v of [b.data?.message, b.message, b.name, b._tag]) if (typeof v === "string" && v) return v
  return undefined
}

/** Builds a RuntimeError from an SDK `{error, response}` result or a thrown fetch error. */
export function toRuntimeError(what: string, input: { error?: unknown; response?: Response; cause?: unknown }): RuntimeError {
  const status = input.response?.status
  const code = codeOf(status)
  const detail = messageOf(input.error) ?? (input.cause instanceof Error ? input.cause.message : undefined)
  const hint =
    code === "unauthorized"
      ? " Check runtime.password (OPENCODE_SERVER_PASSWORD on the server)."
      : code === "unavailable" && status === undefined
        ? " Is the OpenCode server running and runtime.url correct?"
        : ""
  const text = `${what} failed${status ? ` (HTTP ${status})` : ""}${detail ? `: ${detail}` : ""}.${hint}`
  return new RuntimeError(code, text, { ...(status !== undefined ? { status } : {}), cause: input.cause ?? input.error })
}
