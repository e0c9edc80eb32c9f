// The relay's own HTTP server: health for operators and orchestrators, and the routes chat
// platforms call back (button clicks). Bodies are capped; every failure is a JSON answer
// `{error, code}`. A malformed request target is the client's error (400), HEAD is answered
// wherever GET is, and a client that goes away mid-request is not the relay's failure.
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { HttpResponse, HttpRoute } from "../chat/types.ts"
import type { Logger } from "../log/logger.ts"

const MAX_BODY = 1024 * 1024
const HEALTH_PATHS = new Set(["/healthz", "/health"])

export interface HttpServer {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/** The `code` of a failure answer, from its status. */
const CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  408: "request_timeout",
  409: "conflict",
  413: "body_too_large",
  429: "rate_limited",
  431: "headers_too_large",
  500: "internal",
  502: "bad_gateway",
  503: "unavailable",
  504: "gateway_timeout",
}

export const failureCode = (status: number): string => CODES[status] ?? `http_${status}`

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body)
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) })
  res.end(text)
}

const failure = (res: ServerResponse, status: number, error: string, headers?: Record<string, string>) =>
  json(res, status, { error, code: failureCode(status) }, headers)

/**
 * A route's failure answer (status ≥ 400) as JSON with a code: a JSON object gets `code` if it
 * has none, any other body becomes the `error` text.
 */
export function withCode(out: HttpResponse): HttpResponse {
  if (out.status < 400) return out
  let body: unknown
  try {
    body = out.body ? JSON.parse(out.body) : undefined
  } catch {
    body = undefined
  }
  const object = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined
  if (object && typeof object.code === "string") return out
  const fixed = object
    ? { ...object, code: failureCode(out.status) }
    : { error: out.body || STATUS_CODES[out.status] || `HTTP ${out.status}`, code: failureCode(out.status) }
  return { status: out.status, headers: { ...out.headers, "content-type": "application/json" }, body: JSON.stringify(fixed) }
}

/** A `%` not followed by two hex digits: not a percent-encoding (RFC 3986 §2.1). */
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/

/**
 * The request target as a URL, or undefined when it is malformed: neither origin-form
 * (`/path?query`) nor absolute-form (`http://host/path`), a broken percent-encoding, or a host
 * that does not parse. The path is read as given: `//x` is the path `//x`, not the host `x`.
 */
export function requestTarget(raw: string | undefined): URL | undefined {
  const target = raw ?? "/"
  if (BAD_ESCAPE.test(target)) return undefined
  try {
    if (target.startsWith("/")) return new URL(`http://relay.local${target}`)
    if (/^https?:\/\//i.test(target)) return new URL(target)
  } catch {
    return undefined
  }
  return undefined
}

type Body = { kind: "ok"; body: Buffer } | { kind: "too_large" } | { kind: "aborted" }

/** The whole body, refused past MAX_BODY (declared or sent), or "aborted" if the client left. */
async function readBody(req: IncomingMessage): Promise<Body> {
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY) return { kind: "too_large" }
  const parts: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > MAX_BODY) return { kind: "too_large" }
      parts.push(chunk as Buffer)
    }
  } catch (err) {
    if (req.readableAborted || req.destroyed) return { kind: "aborted" }
    throw err
  }
  // On some Node versions a client that closes before the declared length just ends the stream.
  if (req.readableAborted || !req.complete) return { kind: "aborted" }
  return { kind: "ok", body: Buffer.concat(parts) }
}

export async function startHttpServer(opts: {
  host: string
  port: number
  routes: HttpRoute[]
  health: () => { ok: boolean } & Record<string, unknown>
  log: Logger
}): Promise<HttpServer> {
  const routes = new Map(opts.routes.map((r) => [`${r.method} ${r.path}`, r]))
  const methodsOf = (path: string) => [
    ...new Set(opts.routes.filter((r) => r.path === path).flatMap((r) => (r.method === "GET" ? ["GET", "HEAD"] : [r.method]))),
  ]

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestTarget(req.url)
    if (!url) return failure(res, 400, "malformed request target", { connection: "close" })
    const method = req.method ?? "GET"
    // HEAD is GET without the body (node:http leaves the body out of a HEAD answer).
    const asMethod = method === "HEAD" ? "GET" : method
    if (HEALTH_PATHS.has(url.pathname)) {
      if (asMethod !== "GET") return failure(res, 405, `${method} ${url.pathname} is not served; use GET or HEAD`, { allow: "GET, HEAD" })
      const health = opts.health()
      return json(res, health.ok ? 200 : 503, health)
    }
    const route = routes.get(`${asMethod} ${url.pathname}`)
    if (!route) {
      const allow = methodsOf(url.pathname)
      if (allow.length > 0) return failure(res, 405, `${method} ${url.pathname} is not served; use ${allow.join(" or ")}`, { allow: allow.join(", ") })
      return failure(res, 404, `no route for ${method} ${url.pathname}`)
    }
    const body = await readBody(req)
    if (body.kind === "aborted") {
      opts.log.debug({ method, path: url.pathname }, "HTTP client went away before sending the whole body")
      return
    }
    if (body.kind === "too_large") return failure(res, 413, `request body over ${MAX_BODY} bytes`, { connection: "close" })
    const headers: Record<string, string | undefined> = {}
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v
    const out = withCode(
      await route.handle({
        method: asMethod,
        path: url.pathname,
        query: url.searchParams,
        headers,
        body: body.body,
        ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}),
      }),
    )
    if (res.destroyed) return
    res.writeHead(out.status, { "content-type": "application/json", ...out.headers })
    res.end(out.body ?? "")
  }

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      opts.log.error({ err, method: req.method, url: req.url }, "HTTP handler failed")
      if (res.destroyed) return
      if (!res.headersSent) failure(res, 500, "internal error; see the relay's log")
      else res.end()
    })
  })
  // Requests node:http cannot parse at all: answered with JSON while the socket can take it.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    opts.log.debug({ code: err.code }, "unparseable HTTP request")
    if (err.code === "ECONNRESET" || !socket.writable) return void socket.destroy()
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400
    const text = JSON.stringify({ error: status === 400 ? "malformed HTTP request" : STATUS_CODES[status], code: failureCode(status) })
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(new Error(`Cannot listen on ${opts.host}:${opts.port} (${err.code ?? err.message}). Set http.port to a free port.`)),
    )
    server.listen(opts.port, opts.host, resolve)
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://${opts.host}:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
