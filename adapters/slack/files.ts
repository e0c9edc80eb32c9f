// Files both ways. In: a message's files as ChatFiles whose `fetch` downloads `url_private_download`
// with the bot token (sent only to Slack's own hosts), streamed through `readCapped`; Slack
// answers a missing files:read with a sign-in page (HTTP 200, text/html), which is refused, not
// handed to the agent (test/harness/slack/README.md "Files"). Out: the external upload flow
// (files.getUploadURLExternal → POST the bytes → files.completeUploadExternal into the thread),
// then the share's message found in the thread, since Slack shares asynchronously.
import { readCapped } from "../../src/chat/download.ts"
import { ChatError, isChatError } from "../../src/chat/errors.ts"
import type { ChatFile, OutFile } from "../../src/chat/types.ts"
import type { Logger } from "../../src/log/logger.ts"
import type { Api } from "./api.ts"
import { LIMITS } from "./limits.ts"
import { neutralizeMentions } from "./outbound.ts"
import { PLATFORM, type ThreadAddress } from "./refs.ts"

export interface WireFile {
  id?: string
  name?: string
  title?: string
  mimetype?: string
  size?: number
  mode?: string
  is_external?: boolean
  url_private?: string
  url_private_download?: string
}

/** Whether the bot token may be sent to `url`: HTTPS to a Slack host, or the configured API host (proxies, tests). */
export function tokenMayGo(url: string, apiUrl: string): boolean {
  try {
    const u = new URL(url)
    if (u.host === new URL(apiUrl).host) return true
    return u.protocol === "https:" && (u.hostname === "slack.com" || u.hostname.endsWith(".slack.com"))
  } catch {
    return false
  }
}

async function download(url: string, token: string, what: string, mime: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(LIMITS.transferTimeoutMs)
  let res: Response
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
  } catch (err) {
    throw new ChatError(PLATFORM, "transient", `${what} failed: ${(err as Error).message}`, { cause: err })
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {})
    const code = res.status === 404 ? "not_found" : res.status >= 500 ? "transient" : "forbidden"
    throw new ChatError(PLATFORM, code, `${what} failed: HTTP ${res.status}`)
  }
  const type = res.headers.get("content-type") ?? ""
  if (type.startsWith("text/html") && !mime.startsWith("text/html")) {
    await res.body?.cancel().catch(() => {})
    throw new ChatError(PLATFORM, "forbidden", `${what}: Slack answered a sign-in page (the bot token lacks files:read?)`)
  }
  try {
    return await readCapped(PLATFORM, what, res, maxBytes)
  } catch (err) {
    if (isChatError(err)) throw err
    throw new ChatError(PLATFORM, "transient", `${what} failed: ${(err as Error).message}`, { cause: err })
  }
}

/** A message's downloadable files (external and hidden ones left out). */
export function chatFiles(files: WireFile[] | undefined, token: string, apiUrl: string): ChatFile[] {
  return (files ?? []).flatMap((f) => {
    const url = f.url_private_download ?? f.url_private
    if (!f.id || !url || f.is_external || f.mode === "external" || f.mode === "tombstone" || f.mode === "hidden_by_limit") return []
    if (!tokenMayGo(url, apiUrl)) return []
    const name = f.name ?? f.title ?? f.id
    const mime = f.mimetype || "application/octet-stream"
    const file: ChatFile = {
      id: f.id,
      name,
      mime,
      size: f.size ?? 0,
      fetch: ({ maxBytes, signal }) => download(url, token, `download file ${f.id} (${name})`, mime, maxBytes, signal),
    }
    return [file]
  })
}

interface Found {
  ts?: string
  files?: Array<{ id?: string }>
}

/** Uploads into the thread; the ts of the message that shares it (or the file id while Slack has not shared it yet). */
export async function uploadFile(api: Api, t: ThreadAddress, file: OutFile, comment: string | undefined, log: Logger): Promise<string> {
  const what = `upload ${file.name} (${file.data.length} bytes) to channel ${t.channel}`
  const since = (Date.now() / 1000 - 60).toFixed(6)
  const slot = await api.call<{ upload_url?: string; file_id?: string }>(what, "files.getUploadURLExternal", { filename: file.name, length: file.data.length })
  if (!slot.upload_url || !slot.file_id) throw new ChatError(PLATFORM, "invalid", `${what}: Slack returned no upload URL`)
  let res: Response
  try {
    res = await fetch(slot.upload_url, {
      method: "POST",
      headers: { "content-type": file.mime || "application/octet-stream" },
      body: new Uint8Array(file.data),
      signal: AbortSignal.timeout(LIMITS.transferTimeoutMs),
    })
  } catch (err) {
    throw new ChatError(PLATFORM, "transient", `${what} failed: ${(err as Error).message}`, { cause: err })
  }
  await res.body?.cancel().catch(() => {})
  if (!res.ok) throw new ChatError(PLATFORM, res.status >= 500 ? "transient" : "invalid", `${what} failed: HTTP ${res.status} from the upload URL`)
  await api.call(what, "files.completeUploadExternal", {
    files: [{ id: slot.file_id, title: file.name }],
    channel_id: t.channel,
    ...(t.root ? { thread_ts: t.root } : {}),
    ...(comment ? { initial_comment: neutralizeMentions(comment) } : {}),
  })
  return (await findShare(api, t, slot.file_id, since, log)) ?? slot.file_id
}

async function findShare(api: Api, t: ThreadAddress, fileId: string, since: string, log: Logger): Promise<string | undefined> {
  for (let attempt = 0; attempt < LIMITS.uploadShareLookups; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, LIMITS.uploadShareRetryMs * attempt))
    try {
      const res = t.root
        ? await api.read<{ messages?: Found[] }>("find the uploaded file's message", "conversations.replies", { channel: t.channel, ts: t.root, oldest: since, limit: 200 })
        : await api.read<{ messages?: Found[] }>("find the uploaded file's message", "conversations.history", { channel: t.channel, limit: 20 })
      const hit = (res.messages ?? []).find((m) => m.files?.some((f) => f.id === fileId))
      if (hit?.ts) return hit.ts
    } catch (err) {
      log.debug({ err, fileId }, "looking for the uploaded file's message failed")
    }
  }
  log.warn({ fileId, channel: t.channel }, "uploaded file shared, but its message was not found yet; it cannot be edited")
  return undefined
}
