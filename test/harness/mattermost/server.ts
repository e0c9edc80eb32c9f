// The fake's http.Server: per request it logs, applies the optional rate limiter and the armed
// faults, routes (unknown route → 404 naming it), authenticates (`Authorization: BEARER|Token`,
// case-insensitive, or `access_token`), runs the handler and writes the reply. WebSocket upgrades
// on /api/v4/websocket go to the hub.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { findRoute, readBody, send, sendError, type Route } from "./http.ts"
import { sendLimited, type Faults, type RateLimiter } from "./rate-limit.ts"
import { coreRoutes } from "./routes-core.ts"
import { postRoutes } from "./routes-posts.ts"
import type { FakeState } from "./state.ts"
import { MmError, newId } from "./types.ts"
import type { WebSocketHub } from "./websocket.ts"

export interface RequestRecord {
  method: string
  /** Path without the query, e.g. `/api/v4/posts/abc/patch`. */
  path: string
  query: string
  status: number
  /** The authenticated user, "" when none. */
  userId: string
  /** Why the fake answered without running the route, if it did. */
  intercepted?: "rate-limit" | "fault"
}

export interface ServerDeps {
  state: FakeState
  hub: WebSocketHub
  limiter: RateLimiter
  faults: Faults
  log: RequestRecord[]
  actionTimeoutMs: number
}

const routes: Route[] = [...coreRoutes, ...postRoutes]

function tokenOf(req: IncomingMessage, url: URL): string {
  const m = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")
  return m?.[1] ?? url.searchParams.get("access_token") ?? ""
}

const notFound = (method: string, path: string) =>
  new MmError(404, "api.context.404.app_error", `fake-mattermost: no route for ${method} ${path}`)

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake.invalid")
  const method = req.method ?? "GET"
  const path = url.pathname
  const requestId = newId()
  const record: RequestRecord = { method, path, query: url.search, status: 0, userId: "" }
  res.on("finish", () => {
    record.status = res.statusCode
    deps.log.push(record)
    deps.state.changed()
  })
  const token = tokenOf(req, url)
  if (deps.limiter.enabled && path.startsWith("/api/v4/")) {
    const decision = deps.limiter.check(token || req.socket.remoteAddress || "")
    for (const [k, v] of Object.entries(decision.headers)) res.setHeader(k, v)
    if (decision.limited) {
      record.intercepted = "rate-limit"
      return sendLimited(res, {})
    }
  }
  const fault = deps.faults.take(method, path)
  if (fault) {
    record.intercepted = "fault"
    if (fault.status !== 429) {
      const err = new MmError(fault.status, "fake.injected_fault.app_error", `fake-mattermost: injected ${fault.status}`)
      return sendError(res, err, requestId)
    }
    const retry = String(fault.retryAfterSec)
    const limit = String(deps.limiter.opts.maxBurst + 1)
    return sendLimited(res, { "X-Ratelimit-Limit": limit, "X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": retry, "Retry-After": retry })
  }
  const found = findRoute(routes, method, path)
  if (!found) return sendError(res, notFound(method, path), requestId)
  let userId = ""
  if (!found.route.public) {
    userId = deps.state.userIdForToken(token) ?? ""
    if (!userId) {
      const err = new MmError(401, "api.context.session_expired.app_error", "Invalid or expired session, please login again.")
      return sendError(res, err, requestId)
    }
  }
  record.userId = userId
  const raw = await readBody(req)
  const ctx = { state: deps.state, userId, params: found.params, query: url.searchParams, req, raw, actionTimeoutMs: deps.actionTimeoutMs }
  send(res, await found.route.handler(ctx), requestId)
}

export function createFakeServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy()
      const mm = err instanceof MmError ? err : new MmError(500, "fake.internal.app_error", `fake-mattermost bug: ${String(err)}`)
      sendError(res, mm, newId())
    })
  })
  server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://fake.invalid")
    if (url.pathname !== "/api/v4/websocket") {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
      return
    }
    deps.hub.handleUpgrade(req, socket, head, tokenOf(req, url) || undefined)
  })
  return server
}
