// HTTP plumbing for the Web API: reading bodies in the three encodings the clients use
// (form-urlencoded with nested values as JSON strings, JSON, multipart), decoding those JSON
// fields the way Slack does (with its format errors), the bearer token, and the replies:
// `{ok:…}` JSON with status 200, and 429 with `Retry-After`.
import type { IncomingMessage, ServerResponse } from "node:http"
import { SlackError, type Json } from "./types.ts"

/** Fields whose values are JSON inside a form, and the error a malformed one is answered with. */
const JSON_FIELDS: Record<string, string> = {
  blocks: "invalid_blocks_format",
  attachments: "invalid_attachments",
  chunks: "invalid_chunks",
  metadata: "invalid_metadata_format",
  files: "invalid_arguments",
  loading_messages: "invalid_arguments",
}

export interface Upload {
  field: string
  filename: string
  data: Buffer
}

export interface ParsedBody {
  args: Json
  uploads: Upload[]
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })
}

function decodeJsonFields(args: Json): Json {
  for (const [field, error] of Object.entries(JSON_FIELDS)) {
    const v = args[field]
    if (typeof v !== "string") continue
    try {
      args[field] = JSON.parse(v)
    } catch {
      throw new SlackError(error)
    }
  }
  return args
}

export async function parseBody(req: IncomingMessage, raw: Buffer, query: URLSearchParams): Promise<ParsedBody> {
  const type = (req.headers["content-type"] ?? "").toLowerCase()
  const args: Json = Object.fromEntries(query)
  const uploads: Upload[] = []
  if (type.startsWith("application/json")) {
    let parsed: unknown
    try {
      parsed = JSON.parse(raw.toString("utf8") || "{}")
    } catch {
      throw new SlackError("invalid_json")
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new SlackError("invalid_json")
    Object.assign(args, parsed)
  } else if (type.startsWith("multipart/form-data")) {
    const form = await new Request("http://fake.invalid/", { method: "POST", headers: { "content-type": type }, body: raw }).formData()
    for (const [field, value] of form) {
      if (typeof value === "string") args[field] = value
      else uploads.push({ field, filename: value.name, data: Buffer.from(await value.arrayBuffer()) })
    }
  } else if (raw.length > 0) {
    Object.assign(args, Object.fromEntries(new URLSearchParams(raw.toString("utf8"))))
  }
  return { args: decodeJsonFields(args), uploads }
}

/** The token of a call: `Authorization: Bearer …`, else a `token` argument (form or query). */
export function tokenOf(req: IncomingMessage, args: Json): string {
  const m = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")
  if (m?.[1]) return m[1]
  return typeof args.token === "string" ? args.token : ""
}

/** Form values are strings: "true"/"1" are true. */
export function bool(v: unknown): boolean {
  return v === true || v === "true" || v === "1" || v === 1
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), ...headers })
  res.end(text)
}

export function sendRateLimited(res: ServerResponse, retryAfterSec: number): void {
  sendJson(res, 429, { ok: false, error: "ratelimited" }, { "Retry-After": String(retryAfterSec) })
}

export function sendText(res: ServerResponse, status: number, text: string, type = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(text) })
  res.end(text)
}
