// Attachments: the multipart body discord.js sends (`payload_json` + `files[n]`), storing the
// bytes, turning uploads plus the body's `attachments` metadata into attachment objects whose
// `url`/`proxy_url` point at the fake, and serving those bytes back (no auth, like the CDN).
import type { IncomingMessage } from "node:http"
import { DiscordError, fieldError, invalidForm } from "./errors.ts"
import { MESSAGE_LIMITS } from "./limits.ts"
import type { FakeState } from "./state.ts"
import { snowflake, type AttachmentRecord, type Json } from "./types.ts"

export interface Upload {
  name: string
  data: Buffer | string
  contentType?: string
  description?: string
}

/** A parsed request body: JSON, or multipart's `payload_json` plus uploads by their index n in `files[n]`. */
export interface ParsedBody {
  json: Json
  files: Map<number, Upload>
}

export async function parseBody(req: IncomingMessage, raw: Buffer): Promise<ParsedBody> {
  const type = req.headers["content-type"] ?? ""
  if (!type.startsWith("multipart/form-data")) {
    if (raw.length === 0) return { json: {}, files: new Map() }
    try {
      const parsed: unknown = JSON.parse(raw.toString("utf8"))
      return { json: parsed && typeof parsed === "object" ? (parsed as Json) : { value: parsed }, files: new Map() }
    } catch {
      throw new DiscordError(400, 50109, "The request body contains invalid JSON.")
    }
  }
  const form = await new Request("http://fake.invalid/", { method: "POST", headers: { "content-type": type }, body: raw }).formData()
  const files = new Map<number, Upload>()
  let json: Json = {}
  for (const [key, value] of form.entries()) {
    if (key === "payload_json" && typeof value === "string") json = JSON.parse(value) as Json
    const m = /^files\[(\d+)\]$/.exec(key)
    if (m && typeof value !== "string") {
      files.set(Number(m[1]), { name: value.name, data: Buffer.from(await value.arrayBuffer()), contentType: value.type || undefined })
    }
  }
  return { json, files }
}

export function storeAttachment(state: FakeState, channelId: string, upload: Upload): AttachmentRecord {
  const bytes = typeof upload.data === "string" ? Buffer.from(upload.data) : upload.data
  if (bytes.length > MESSAGE_LIMITS.attachmentBytes) throw new DiscordError(413, 40005, "Request entity too large")
  const id = snowflake()
  const contentType = upload.contentType ?? "application/octet-stream"
  state.files.set(id, { bytes, contentType, filename: upload.name })
  const url = `${state.baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(upload.name)}`
  const rec: AttachmentRecord = { id, filename: upload.name, size: bytes.length, url, proxy_url: url.replace("/attachments/", "/media/attachments/"), content_type: contentType }
  if (upload.description) rec.description = upload.description
  return rec
}

/**
 * The attachments a message ends up with. New uploads are all attached, with metadata from the
 * body's `attachments` entry whose `id` is the upload's index; on edits, existing attachments
 * survive only if listed by id in `attachments` (absent `attachments` keeps them all).
 */
export function resolveAttachments(
  state: FakeState,
  channelId: string,
  body: Json,
  files: Map<number, Upload>,
  existing: AttachmentRecord[] = [],
): AttachmentRecord[] {
  const meta = Array.isArray(body.attachments) ? (body.attachments as Json[]) : undefined
  const kept = meta ? existing.filter((a) => meta.some((m) => String(m.id) === a.id)) : existing
  const added = [...files].sort(([a], [b]) => a - b).map(([index, upload]) => {
    const m = meta?.find((x) => String(x.id) === String(index))
    return storeAttachment(state, channelId, { ...upload, description: typeof m?.description === "string" ? m.description : undefined })
  })
  const all = [...kept, ...added]
  if (all.length > MESSAGE_LIMITS.attachments) throw invalidForm(fieldError("attachments", "BASE_TYPE_MAX_LENGTH", `Must be ${MESSAGE_LIMITS.attachments} or fewer in length.`))
  return all
}
