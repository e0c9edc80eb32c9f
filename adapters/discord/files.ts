// Files both ways: a person's attachments become ChatFiles whose download streams through
// readCapped (src/chat/download.ts), so an oversized file is cut off, never buffered; files the
// agent produced are uploaded as a message with the file attached (multipart, through
// discord.js's own Agent, trap 19), refused above the upload cap before anything is sent.
import type { Attachment, RawFile } from "discord.js"
import { readCapped } from "../../src/chat/download.ts"
import { ChatError } from "../../src/chat/errors.ts"
import type { ChatFile, OutFile } from "../../src/chat/types.ts"
import { NO_PINGS } from "./outbound.ts"
import { PLATFORM } from "./refs.ts"

export function chatFile(att: Attachment): ChatFile {
  const what = `download attachment ${att.id} (${att.name})`
  return {
    id: att.id,
    name: att.name,
    mime: att.contentType ?? "application/octet-stream",
    size: att.size,
    fetch: async ({ maxBytes, signal }) => {
      let res: Response
      try {
        res = await fetch(att.url, signal ? { signal } : {})
      } catch (err) {
        throw new ChatError(PLATFORM, "transient", `${what}: network error (${(err as Error).message})`, { cause: err })
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => {})
        throw new ChatError(PLATFORM, res.status === 404 || res.status === 403 ? "not_found" : "transient", `${what}: HTTP ${res.status}`)
      }
      return readCapped(PLATFORM, what, res, maxBytes)
    },
  }
}

export interface UploadRequest {
  body: { content: string; allowed_mentions: typeof NO_PINGS; attachments: Array<{ id: number; filename: string }> }
  files: RawFile[]
}

export function uploadRequest(file: OutFile, comment: string | undefined, maxBytes: number): UploadRequest {
  if (file.data.byteLength > maxBytes) {
    throw new ChatError(PLATFORM, "too_large", `upload ${file.name}: ${file.data.byteLength} bytes is over the ${maxBytes}-byte limit`)
  }
  return {
    body: { content: comment ?? "", allowed_mentions: NO_PINGS, attachments: [{ id: 0, filename: file.name }] },
    files: [{ name: file.name, data: Buffer.from(file.data), contentType: file.mime }],
  }
}
