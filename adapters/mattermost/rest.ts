// Every REST call to Mattermost goes through here: Client4's `doFetchWithResponse` (auth headers,
// JSON) with `ignoreStatus`, so status and headers stay visible — a 429 is text/plain and
// invisible to ClientError (docs/platform-traps.md, Mattermost #2) — and each failure becomes a
// ChatError naming the operation.
import type { Client4 } from "@mattermost/client"
import { readCapped } from "../../src/chat/download.ts"
import { ChatError, isChatError, RateLimitError, type ChatErrorCode } from "../../src/chat/errors.ts"
import { PLATFORM } from "./refs.ts"

interface Raw {
  response: Response
  headers: Map<string, string>
  data: unknown
}

/** `doFetchWithResponse` is public at runtime but `private` in the typings. */
interface RawFetch {
  doFetchWithResponse(url: string, opts: Record<string, unknown>): Promise<Raw>
}

type Method = "get" | "post" | "put" | "delete"

const TOO_LONG = "model.post.is_valid.msg.app_error"
const TOO_OLD = "api.post.update_post.permissions_time_limit.app_error"
/** A reply to a root post that no longer exists: the thread is gone. */
const ROOT_GONE = "api.post.create_post.root_id.app_error"

/** The ChatError code for an HTTP status and Mattermost error id (429 is handled before). */
export function classify(status: number, errorId: string): ChatErrorCode {
  if (status >= 500) return "transient"
  if (status === 400 && errorId === TOO_LONG) return "too_long"
  if (status === 400 && errorId === TOO_OLD) return "too_old"
  if (status === 400 && errorId === ROOT_GONE) return "not_found"
  if (status === 404) return "not_found"
  if (status === 401 || status === 403) return "forbidden"
  return "invalid"
}

function header(headers: Map<string, string> | Headers, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  for (const [k, v] of headers) if (k.toLowerCase() === name.toLowerCase()) return v
  return undefined
}

/** Retry-After (seconds or an HTTP date), else X-Ratelimit-Reset, else one second. */
export function retryAfterMs(headers: Map<string, string> | Headers, nowMs = Date.now()): number {
  const retry = header(headers, "Retry-After")
  if (retry !== undefined) {
    const secs = Number(retry)
    if (Number.isFinite(secs) && secs >= 0) return Math.max(secs * 1000, 100)
    const at = Date.parse(retry)
    if (Number.isFinite(at)) return Math.max(at - nowMs, 100)
  }
  const reset = Number(header(headers, "X-Ratelimit-Reset"))
  return Number.isFinite(reset) && reset > 0 ? reset * 1000 : 1000
}

function failure(what: string, status: number, headers: Map<string, string> | Headers, data: unknown): ChatError {
  if (status === 429) return new RateLimitError(PLATFORM, retryAfterMs(headers), "workspace")
  const body = (data && typeof data === "object" ? data : {}) as { id?: unknown; message?: unknown }
  const id = typeof body.id === "string" ? body.id : ""
  const message = typeof body.message === "string" ? body.message : typeof data === "string" ? data.trim().slice(0, 200) : ""
  const detail = [id, message].filter(Boolean).join(": ")
  return new ChatError(PLATFORM, classify(status, id), `${what} failed: HTTP ${status}${detail ? ` (${detail})` : ""}`)
}

function networkFailure(what: string, err: unknown, timeoutMs: number): ChatError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  const why =
    e?.name === "TimeoutError"
      ? `no answer within ${timeoutMs} ms`
      : `network error (${e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err)})`
  return new ChatError(PLATFORM, "transient", `${what} failed: ${why}`, { cause: err })
}

export class Rest {
  readonly client: Client4
  private readonly timeoutMs: number
  /** When the server's limiter (if on) said we used up the budget, calls wait until it resets. */
  private holdUntil = 0

  constructor(client: Client4, timeoutMs: number) {
    this.client = client
    this.timeoutMs = timeoutMs
  }

  get<T>(what: string, url: string): Promise<T> {
    return this.call<T>(what, "get", url)
  }

  send<T>(what: string, method: Exclude<Method, "get">, url: string, body?: unknown): Promise<T> {
    return this.call<T>(what, method, url, body)
  }

  /** Raw bytes (file downloads), at most `maxBytes` (enforced while reading), same failure classification. */
  async bytes(what: string, url: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
    let res: Response
    const timeout = AbortSignal.timeout(this.timeoutMs * 4)
    try {
      res = await fetch(url, { ...this.client.getOptions({ method: "get" }), signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
    } catch (err) {
      throw networkFailure(what, err, this.timeoutMs)
    }
    if (!res.ok) {
      const text = await res.text().catch(() => "")
      let data: unknown = text
      try {
        data = JSON.parse(text)
      } catch {
        // Not JSON (e.g. a proxy's error page): the text is kept for the message.
      }
      throw failure(what, res.status, res.headers, data)
    }
    try {
      return await readCapped(PLATFORM, what, res, maxBytes)
    } catch (err) {
      if (isChatError(err)) throw err
      throw networkFailure(what, err, this.timeoutMs)
    }
  }

  private async call<T>(what: string, method: Method, url: string, body?: unknown): Promise<T> {
    const payload = body === undefined || body instanceof FormData ? body : JSON.stringify(body)
    const wait = this.holdUntil - Date.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    let raw: Raw
    try {
      raw = await (this.client as unknown as RawFetch).doFetchWithResponse(url, {
        method,
        ...(payload === undefined ? {} : { body: payload }),
        ignoreStatus: true,
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (err) {
      throw networkFailure(what, err, this.timeoutMs)
    }
    this.notice(raw.headers)
    if (!raw.response.ok) throw failure(what, raw.response.status, raw.headers, raw.data)
    return raw.data as T
  }

  /** X-Ratelimit-Remaining 0 means the next call would be refused: hold calls until the reset. */
  private notice(headers: Map<string, string>): void {
    if (header(headers, "X-Ratelimit-Remaining") !== "0") return
    const reset = Number(header(headers, "X-Ratelimit-Reset"))
    if (Number.isFinite(reset) && reset > 0) this.holdUntil = Math.max(this.holdUntil, Date.now() + Math.min(reset, 60) * 1000)
  }
}
