// The fake's http.Server: routes `/api/<method>` to the Web API dispatcher, the upload URL
// (`/upload/v1/<file>`, raw bytes or multipart), private file downloads (`/files-pri/…`, bytes
// only with the bot token, else a redirect to an HTML sign-in page), response_url posts
// (`/response/<id>`) and the Socket Mode upgrade on `/link/`. Logs every request it answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { callMethod, type ApiDeps } from "./api.ts"
import { download, fileIdFromPath, receiveUpload } from "./files.ts"
import { parseBody, readBody, sendJson, sendRateLimited, sendText, tokenOf } from "./http.ts"
import type { Interactions } from "./interactions.ts"
import type { SocketHub } from "./socket.ts"
import { SlackError, type Json } from "./types.ts"

export interface RequestRecord {
  kind: "api" | "upload" | "download" | "response_url" | "other"
  /** The Web API method for kind "api" (e.g. "chat.update"); the path otherwise. */
  method: string
  path: string
  status: number
  /** The `ok` of a Web API answer (undefined for a 429 and for non-API requests). */
  ok: boolean | undefined
  error: string | undefined
  /** Decoded arguments, without the token. */
  args: Json
  at: number
  intercepted: "rate-limit" | "forced-429" | "fault" | undefined
}

export interface ServerDeps extends ApiDeps {
  hub: SocketHub
  interactions: Interactions
  log: RequestRecord[]
}

const SIGN_IN_HTML = "<!DOCTYPE html><html><head><title>Slack</title></head><body><h1>Sign in to your workspace</h1></body></html>"

async function api(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, url: URL, record: RequestRecord): Promise<void> {
  record.kind = "api"
  record.method = decodeURIComponent(url.pathname.slice("/api/".length))
  const raw = await readBody(req)
  let parsed: Awaited<ReturnType<typeof parseBody>>
  try {
    parsed = await parseBody(req, raw, url.searchParams)
  } catch (err) {
    if (!(err instanceof SlackError)) throw err
    record.ok = false
    record.error = err.error
    return sendJson(res, 200, { ok: false, error: err.error })
  }
  const args = { ...parsed.args }
  delete args.token
  record.args = args
  const answer = callMethod(deps, record.method, tokenOf(req, parsed.args), parsed.args, parsed.uploads)
  if (answer.status === 429) {
    record.intercepted = answer.intercepted
    return sendRateLimited(res, answer.retryAfterSec)
  }
  record.intercepted = answer.intercepted
  record.ok = answer.body.ok === true
  record.error = typeof answer.body.error === "string" ? answer.body.error : undefined
  sendJson(res, 200, answer.body, answer.headers)
}

async function upload(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, url: URL, record: RequestRecord): Promise<void> {
  record.kind = "upload"
  const raw = await readBody(req)
  const type = req.headers["content-type"] ?? ""
  const { uploads } = type.startsWith("multipart/form-data") ? await parseBody(req, raw, new URLSearchParams()) : { uploads: [] }
  const data = uploads[0]?.data ?? raw
  const file = receiveUpload(deps.state, url.pathname.split("/").pop() ?? "", data)
  if (!file) return sendText(res, 404, "file_not_found")
  sendText(res, 200, `OK - ${data.length}`)
}

function fileDownload(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, url: URL, record: RequestRecord): void {
  record.kind = "download"
  const found = download(deps.state, fileIdFromPath(deps.state, url.pathname), tokenOf(req, {}))
  if (found.kind === "sign_in") {
    const location = `${deps.state.baseUrl}/signin?redir=${encodeURIComponent(url.pathname)}`
    res.writeHead(302, { Location: location, "Content-Length": 0 })
    return void res.end()
  }
  if (found.kind === "not_found") return sendText(res, 404, SIGN_IN_HTML, "text/html; charset=utf-8")
  res.writeHead(200, {
    "Content-Type": found.file.mimetype,
    "Content-Length": found.data.length,
    "Content-Disposition": `attachment; filename="${found.file.name}"`,
  })
  res.end(found.data)
}

async function responseUrl(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, url: URL, record: RequestRecord): Promise<void> {
  record.kind = "response_url"
  const raw = await readBody(req)
  let body: Json = {}
  try {
    const { args } = await parseBody(req, raw, new URLSearchParams())
    body = typeof args.payload === "string" ? (JSON.parse(args.payload) as Json) : args
  } catch {
    return sendText(res, 400, "invalid_payload")
  }
  record.args = body
  const answer = deps.interactions.respond(url.pathname.split("/").pop() ?? "", body)
  sendText(res, answer.status, answer.body, answer.status === 200 ? "application/json; charset=utf-8" : "text/plain; charset=utf-8")
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake.invalid")
  const path = url.pathname
  const record: RequestRecord = {
    kind: "other", method: path, path, status: 0, ok: undefined, error: undefined, args: {}, at: Date.now(), intercepted: undefined,
  }
  res.on("finish", () => {
    record.status = res.statusCode
    deps.log.push(record)
    deps.state.changed()
  })
  if (path.startsWith("/api/")) return api(deps, req, res, url, record)
  if (req.method === "POST" && path.startsWith("/upload/v1/")) return upload(deps, req, res, url, record)
  if (req.method === "GET" && path.startsWith("/files-pri/")) return fileDownload(deps, req, res, url, record)
  if (req.method === "POST" && path.startsWith("/response/")) return responseUrl(deps, req, res, url, record)
  if (req.method === "GET" && path === "/signin") return sendText(res, 200, SIGN_IN_HTML, "text/html; charset=utf-8")
  sendText(res, 404, `fake-slack: no route for ${req.method ?? "?"} ${path}`)
}

export function createFakeServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy()
      sendJson(res, 500, { ok: false, error: "fatal_error", detail: `fake-slack bug: ${String(err)}` })
    })
  })
  server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
    const path = new URL(req.url ?? "/", "http://fake.invalid").pathname
    if (path !== "/link/" && path !== "/link") {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
      return
    }
    deps.hub.handleUpgrade(req, socket, head)
  })
  return server
}
