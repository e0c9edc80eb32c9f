// HTTP plumbing for the REST routes: a tiny router ("/posts/:id/actions/:action([A-Za-z0-9]+)"),
// body readers (JSON, multipart through the platform's Request.formData), and the replies the
// real server writes: `Content-Type: application/json` exactly, errors as AppError JSON.
import type { IncomingMessage, ServerResponse } from "node:http"
import type { FakeState } from "./state.ts"
import { MmError, type Json } from "./types.ts"

export const SERVER_VERSION = "11.9.0"
export const VERSION_HEADER = `${SERVER_VERSION}.0.fake-mattermost.false`

export interface Ctx {
  state: FakeState
  /** The authenticated user ("" on public routes). */
  userId: string
  params: Record<string, string>
  query: URLSearchParams
  req: IncomingMessage
  raw: Buffer
  actionTimeoutMs: number
}

export type Reply =
  | { status?: number; json: unknown }
  | { status?: number; bytes: Buffer; contentType: string; headers?: Record<string, string> }

export interface Route {
  method: string
  pattern: RegExp
  names: string[]
  public: boolean
  handler: (ctx: Ctx) => Reply | Promise<Reply>
}

/** `:name` matches one segment; `:name(regex)` constrains it (as gorilla/mux's `{name:regex}`). */
export function route(method: string, path: string, handler: Route["handler"], opts: { public?: boolean } = {}): Route {
  const names: string[] = []
  const source = path.replace(/:(\w+)(?:\(([^)]+)\))?/g, (_, name: string, re?: string) => {
    names.push(name)
    return `(${re ?? "[^/]+"})`
  })
  return { method, pattern: new RegExp(`^/api/v4${source}$`), names, public: opts.public ?? false, handler }
}

export function findRoute(routes: Route[], method: string, path: string) {
  for (const r of routes) {
    if (r.method !== method) continue
    const m = r.pattern.exec(path)
    if (!m) continue
    const params: Record<string, string> = {}
    r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)))
    return { route: r, params }
  }
  return undefined
}

export const ok = (json: unknown, status = 200): Reply => ({ status, json })
export const statusOk = (): Reply => ({ json: { status: "OK" } })

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })
}

const invalidBody = (detail: string) =>
  new MmError(400, "api.context.invalid_body_param.app_error", "Invalid or missing body in request.", detail)

export function jsonBody<T = Json>(ctx: Ctx): T {
  try {
    return JSON.parse(ctx.raw.toString("utf8") || "null") as T
  } catch (err) {
    throw invalidBody((err as Error).message)
  }
}

export async function formBody(ctx: Ctx): Promise<FormData> {
  const type = ctx.req.headers["content-type"] ?? ""
  if (!type.startsWith("multipart/form-data")) throw invalidBody("expected multipart/form-data")
  return new Request("http://fake.invalid/", { method: "POST", headers: { "content-type": type }, body: ctx.raw }).formData()
}

export function send(res: ServerResponse, reply: Reply, requestId: string): void {
  const status = reply.status ?? 200
  const common = { "X-Request-Id": requestId, "X-Version-Id": VERSION_HEADER }
  if ("json" in reply) {
    res.writeHead(status, { ...common, "Content-Type": "application/json" })
    res.end(JSON.stringify(reply.json))
  } else {
    res.writeHead(status, { ...common, ...reply.headers, "Content-Type": reply.contentType, "Content-Length": reply.bytes.length })
    res.end(reply.bytes)
  }
}

export function sendError(res: ServerResponse, err: MmError, requestId: string): void {
  send(res, { status: err.status, json: err.body(requestId) }, requestId)
}
