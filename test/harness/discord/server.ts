// The fake's http.Server: serves attachment bytes, and for `/api/v10/…` decodes the path, routes
// (404 / 405 otherwise), authenticates `Authorization: Bot <token>` (401), applies armed faults
// and the rate limiter (429 with Discord's headers), runs the handler and logs the request.
// WebSocket upgrades on any path go to the gateway.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { parseBody } from "./attachments.ts"
import { DiscordError, errors } from "./errors.ts"
import type { GatewayHub } from "./gateway.ts"
import { decodeSegments, findRoute, readBody, send, sendError, type Route } from "./http.ts"
import type { InteractionHub } from "./interactions.ts"
import { bucketOf, limitedReply, routeMatches, type RateLimiter, type RouteMatch } from "./rate-limit.ts"
import { coreRoutes } from "./routes-core.ts"
import { interactionRoutes } from "./routes-interactions.ts"
import { messageRoutes } from "./routes-messages.ts"
import type { FakeState } from "./state.ts"

export interface RequestRecord {
  method: string
  /** Decoded path under `/api/v10`, e.g. `/webhooks/1…/tok/messages/@original`. */
  path: string
  /** The matched route pattern, e.g. `/channels/:channelId/messages`; "" when none matched. */
  route: string
  query: string
  status: number
  /** Discord's error `code` when the reply was a JSON error. */
  code?: number
  /** The JSON body (multipart: `payload_json`), for assertions such as `allowed_mentions`. */
  body?: unknown
  files: number
  /** "bucket:channel" for bucketed routes. */
  bucket?: string
  /** Why the fake answered without running the route. */
  intercepted?: "rate-limit" | "fault" | "auth"
  at: number
  durationMs: number
}

export interface Fault {
  remaining: number
  status: number
  match: RouteMatch | undefined
}

export interface ServerDeps {
  state: FakeState
  limiter: RateLimiter
  interactions: InteractionHub
  gateway: GatewayHub
  faults: Fault[]
  log: RequestRecord[]
}

const routes: Route[] = [...coreRoutes, ...messageRoutes, ...interactionRoutes]
const API = "/api/v10"

function takeFault(faults: Fault[], method: string, path: string): Fault | undefined {
  const f = faults.find((x) => x.remaining > 0 && routeMatches(x.match, method, path))
  if (f && --f.remaining === 0) faults.splice(faults.indexOf(f), 1)
  return f
}

function serveAttachment(deps: ServerDeps, segments: string[], res: ServerResponse): boolean {
  const i = segments[0] === "media" ? 1 : 0
  if (segments[i] !== "attachments" || segments.length !== i + 4) return false
  const file = deps.state.files.get(segments[i + 2]!)
  if (!file) sendError(res, errors.notFound("attachment"))
  else send(res, { bytes: file.bytes, contentType: file.contentType })
  return true
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now()
  const url = new URL(req.url ?? "/", "http://fake.invalid")
  const method = req.method ?? "GET"
  const segments = decodeSegments(url.pathname)
  const record: RequestRecord = { method, path: url.pathname, route: "", query: url.search, status: 0, files: 0, at: started, durationMs: 0 }
  res.on("finish", () => {
    record.status = res.statusCode
    record.durationMs = Date.now() - started
    deps.log.push(record)
    deps.state.changed()
  })
  if (!segments) return sendError(res, new DiscordError(400, 0, "400: Bad Request (malformed percent-encoding)"))
  if (serveAttachment(deps, segments, res)) return
  if (!url.pathname.startsWith(`${API}/`)) return sendError(res, errors.notFound(`${method} ${url.pathname}`))
  const inner = segments.slice(2)
  const path = `/${inner.join("/")}`
  record.path = path
  const found = findRoute(routes, method, inner)
  if (found === "method") return sendError(res, errors.methodNotAllowed())
  if (!found) return sendError(res, errors.notFound(`${method} ${path}`))
  record.route = `/${found.route.segments.join("/")}`
  const raw = await readBody(req)
  const body = await parseBody(req, raw)
  record.body = body.json
  record.files = body.files.size
  if (found.route.auth === "bot" && req.headers.authorization !== `Bot ${deps.state.botToken}`) {
    record.intercepted = "auth"
    return sendError(res, errors.unauthorized())
  }
  const fault = takeFault(deps.faults, method, path)
  if (fault) {
    record.intercepted = "fault"
    return sendError(res, errors.internal(fault.status))
  }
  let headers: Record<string, string> = {}
  const isCallback = record.route === "/interactions/:interactionId/:token/callback"
  if (!isCallback) {
    const bucket = bucketOf(method, path)
    if (bucket) record.bucket = `${bucket.name}:${bucket.major}`
    const decision = deps.limiter.check(method, path, found.route.exemptGlobal)
    headers = decision.headers
    if (decision.limited) {
      record.intercepted = "rate-limit"
      const reply = limitedReply(decision.limited)
      return send(res, { status: 429, json: reply.body }, { ...headers, ...reply.headers })
    }
  }
  const ctx = { state: deps.state, limiter: deps.limiter, interactions: deps.interactions, params: found.params, query: url.searchParams, body, req }
  try {
    send(res, await found.route.handler(ctx), headers)
  } catch (err) {
    if (!(err instanceof DiscordError)) throw err
    record.code = err.code
    sendError(res, err, headers)
  }
}

export function createFakeServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy()
      const e = err instanceof DiscordError ? err : new DiscordError(500, 0, `fake-discord bug: ${String(err instanceof Error ? err.stack : err)}`)
      sendError(res, e)
    })
  })
  server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => deps.gateway.handleUpgrade(req, socket, head))
  return server
}
