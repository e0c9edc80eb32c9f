// HTTP plumbing for the REST routes: a segment router over the percent-DECODED path (discord.js
// sends `/users/%40me`, `/messages/%40original`, encoded emoji), the request context, and the
// replies Discord writes: JSON with `application/json`, and 204 with no body and NO
// Content-Type (discord.js parses by content type and chokes on an empty JSON body).
import type { IncomingMessage, ServerResponse } from "node:http"
import type { ParsedBody } from "./attachments.ts"
import type { DiscordError } from "./errors.ts"
import type { InteractionHub } from "./interactions.ts"
import type { RateLimiter } from "./rate-limit.ts"
import type { FakeState } from "./state.ts"

export interface Ctx {
  state: FakeState
  limiter: RateLimiter
  interactions: InteractionHub
  params: Record<string, string>
  query: URLSearchParams
  body: ParsedBody
  req: IncomingMessage
}

export type Reply =
  | { status?: number; json: unknown }
  | { status: 204 }
  | { status?: number; bytes: Buffer; contentType: string }

/** Who may call a route: the bot (`Authorization: Bot <token>`), or anyone (interaction callbacks, webhooks with a token, attachments). */
export type Auth = "bot" | "none"

export interface Route {
  method: string
  segments: string[]
  auth: Auth
  /** Interaction callbacks and interaction webhooks are exempt from the global limit. */
  exemptGlobal: boolean
  handler: (ctx: Ctx) => Reply | Promise<Reply>
}

/** `:name` matches one segment; other segments match literally (after decoding, so `@me` is literal). */
export function route(method: string, path: string, handler: Route["handler"], opts: { auth?: Auth; exemptGlobal?: boolean } = {}): Route {
  return { method, segments: path.split("/").filter(Boolean), auth: opts.auth ?? "bot", exemptGlobal: opts.exemptGlobal ?? false, handler }
}

/** Splits and decodes a path; undefined when a segment is malformed percent-encoding. */
export function decodeSegments(path: string): string[] | undefined {
  try {
    return path.split("/").filter(Boolean).map((s) => decodeURIComponent(s))
  } catch {
    return undefined
  }
}

export function findRoute(routes: Route[], method: string, segments: string[]): { route: Route; params: Record<string, string> } | "method" | undefined {
  let pathMatched = false
  for (const r of routes) {
    if (r.segments.length !== segments.length) continue
    const params: Record<string, string> = {}
    const ok = r.segments.every((s, i) => {
      const actual = segments[i]!
      if (s.startsWith(":")) {
        params[s.slice(1)] = actual
        return true
      }
      return s === actual
    })
    if (!ok) continue
    pathMatched = true
    if (r.method === method) return { route: r, params }
  }
  return pathMatched ? "method" : undefined
}

export const ok = (json: unknown, status = 200): Reply => ({ status, json })
export const noContent = (): Reply => ({ status: 204 })

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })
}

export function send(res: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
  const status = reply.status ?? 200
  if ("json" in reply) {
    res.writeHead(status, { ...headers, "Content-Type": "application/json" })
    res.end(JSON.stringify(reply.json))
  } else if ("bytes" in reply) {
    res.writeHead(status, { ...headers, "Content-Type": reply.contentType, "Content-Length": reply.bytes.length })
    res.end(reply.bytes)
  } else {
    res.writeHead(204, headers)
    res.end()
  }
}

export function sendError(res: ServerResponse, err: DiscordError, headers: Record<string, string> = {}): void {
  send(res, { status: err.status, json: err.body() }, headers)
}

/** A body field as a string, or undefined. */
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined)
