// Scrubs secrets out of anything about to be logged: values under secret-looking keys, the
// exact values of secrets the relay knows (tokens, signing secrets, runtime passwords), URL
// credentials (`//user:pass@`, `?token=`), bearer/basic headers and platform token shapes —
// wherever they sit, including error messages, stacks and nested `cause` chains.

const SECRET_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|password|passwd|secret|token|api[-_]?key|x-api-key|sig)$|(token|secret|password|apikey|api_key)$/i
const PATTERNS: Array<[RegExp, string]> = [
  [/([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]+):([^\s/@]+)@/gi, "$1$2:[redacted]@"],
  [/([?&](?:token|access_token|refresh_token|password|secret|key|api_key|apikey|sig|signature|ticket)=)[^&\s#"']+/gi, "$1[redacted]"],
  [/\b(Bearer|Basic|Bot)\s+[A-Za-z0-9._~+/=-]{8,}/g, "$1 [redacted]"],
  [/\bxox[abposr]-[A-Za-z0-9-]{8,}/g, "xox?-[redacted]"],
  [/\bxapp-[A-Za-z0-9-]{8,}/g, "xapp-[redacted]"],
  [/\b[MNO][A-Za-z\d_-]{23,27}\.[\w-]{6}\.[\w-]{27,}/g, "[redacted discord token]"],
]
const MAX_DEPTH = 8

const known = new Set<string>()

/** Makes `value` (a token, password, secret) appear as [redacted] in every later log line. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) known.add(value)
}

export function scrubString(text: string): string {
  let out = text
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join("[redacted]")
  for (const [re, to] of PATTERNS) out = out.replace(re, to)
  return out
}

export function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return scrubString(value)
  if (value === null || typeof value !== "object") return value
  if (seen.has(value)) return "[circular]"
  if (depth >= MAX_DEPTH) return "[nested too deep]"
  seen.add(value)
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; cause?: unknown }
    const out: Record<string, unknown> = { type: e.name, message: scrubString(e.message) }
    if (e.stack) out.stack = scrubString(e.stack)
    for (const [k, v] of Object.entries(e)) if (!(k in out)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : scrub(v, depth + 1, seen)
    if (e.cause !== undefined) out.cause = scrub(e.cause, depth + 1, seen)
    return out
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1, seen))
  if (value instanceof URL) return scrubString(value.href)
  if (value instanceof Map) return scrub(Object.fromEntries(value), depth, seen)
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${(value as ArrayBufferView).byteLength} bytes]`
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && typeof v !== "object" ? "[redacted]" : scrub(v, depth + 1, seen)
  return out
}
