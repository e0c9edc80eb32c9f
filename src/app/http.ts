// The relay's own HTTP server: health for operators and orchestrators, and the routes chat
// platforms call back (button clicks). Bodies are capped; every failure is a JSON answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { HttpRoute } from "../chat/types.ts"
import type { Logger } from "../log/logger.ts"

const MAX_BODY = 1024 * 1024

export interface HttpServer {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
  res.end(text)
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) return undefined
    parts.push(chunk as Buffer)
  }
  return Buffer.concat(parts)
}

export async function startHttpServer(opts: {
  host: string
  port: number
  routes: HttpRoute[]
  health: () => { ok: boolean } & Record<string, unknown>
  log: Logger
}): Promise<HttpServer> {
  const routes = new Map(opts.routes.map((r) => [`${r.method} ${r.path}`, r]))
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://relay.local")
      if (req.method === "GET" && (url.pathname === "/healthz" || url.pathname === "/health")) {
        const health = opts.health()
        return json(res, health.ok ? 200 : 503, health)
      }
      const route = routes.get(`${req.method} ${url.pathname}`)
      if (!route) return json(res, 404, { error: `no route for ${req.method} ${url.pathname}` })
      const body = await readBody(req)
      if (!body) return json(res, 413, { error: `request body over ${MAX_BODY} bytes` })
      const headers: Record<string, string | undefined> = {}
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v
      const out = await route.handle({
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers,
        body,
        ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}),
      })
      res.writeHead(out.status, { "content-type": "application/json", ...out.headers })
      res.end(out.body ?? "")
    })().catch((err: unknown) => {
      opts.log.error({ err, url: req.url }, "HTTP handler failed")
      if (!res.headersSent) json(res, 500, { error: "internal error; see the relay's log" })
      else res.end()
    })
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
