// Files: the store behind files.getUploadURLExternal → upload URL → files.completeUploadExternal,
// human uploads for the test API, the file object Slack attaches to messages (`url_private`,
// `url_private_download` on the fake), and the download rule: bytes only with the bot token
// and files:read, otherwise a redirect to a sign-in page that answers HTML, as Slack does
// (README "What it models", Files).
import type { FakeState } from "./state.ts"
import { newId, SlackError, type Json, type StoredFile } from "./types.ts"

const MIME_BY_EXT: Record<string, string> = {
  txt: "text/plain", md: "text/markdown", json: "application/json", csv: "text/csv", html: "text/html",
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", pdf: "application/pdf",
  zip: "application/zip", ts: "text/plain", js: "text/javascript", diff: "text/x-diff", patch: "text/x-diff",
}

const extOf = (name: string) => (name.includes(".") ? (name.split(".").pop() ?? "").toLowerCase() : "")

export function guessMime(name: string): string {
  return MIME_BY_EXT[extOf(name)] ?? "application/octet-stream"
}

/** Step 1 of an upload: reserve an id and the URL the bytes go to. */
export function reserveUpload(state: FakeState, userId: string, filename: string, length: number): StoredFile {
  const file: StoredFile = {
    id: newId("F"),
    name: filename,
    title: filename,
    mimetype: guessMime(filename),
    user: userId,
    created: Math.floor(Date.now() / 1000),
    size: length,
    data: undefined,
    complete: false,
    channels: [],
  }
  state.files.set(file.id, file)
  state.changed()
  return file
}

export const uploadUrl = (state: FakeState, fileId: string) => `${state.baseUrl}/upload/v1/${fileId}`

/** Step 2: the bytes arrive at the upload URL. Unknown or finished ids are refused (HTTP 404/410 there). */
export function receiveUpload(state: FakeState, fileId: string, data: Buffer): StoredFile | undefined {
  const file = state.files.get(fileId)
  if (!file || file.complete) return undefined
  file.data = data
  file.size = data.length
  state.changed()
  return file
}

/** Step 3 (files.completeUploadExternal): every listed file must have received its bytes. */
export function completeUploads(state: FakeState, entries: { id: string; title?: string }[]): StoredFile[] {
  return entries.map((e) => {
    const file = state.files.get(e.id)
    if (!file || !file.data) throw new SlackError("file_not_found")
    if (e.title) file.title = e.title
    file.complete = true
    return file
  })
}

/** A human's upload (test API): complete at once, shared when the message that carries it is posted. */
export function humanUpload(state: FakeState, userId: string, input: { name: string; mime?: string; data: Buffer | string }): StoredFile {
  state.requireUser(userId)
  const data = typeof input.data === "string" ? Buffer.from(input.data) : input.data
  const file = reserveUpload(state, userId, input.name, data.length)
  file.data = data
  file.mimetype = input.mime ?? file.mimetype
  file.complete = true
  return file
}

const fileBase = (state: FakeState, f: StoredFile) => `${state.baseUrl}/files-pri/${state.team.id}-${f.id}`

/** The file object as messages, events and files.completeUploadExternal carry it. */
export function fileObject(state: FakeState, f: StoredFile): Json {
  const ext = extOf(f.name)
  return {
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.name,
    title: f.title,
    mimetype: f.mimetype,
    filetype: ext || "binary",
    pretty_type: ext ? ext.toUpperCase() : "Binary",
    user: f.user,
    user_team: state.team.id,
    editable: false,
    size: f.size,
    mode: "hosted",
    is_external: false,
    external_type: "",
    is_public: f.channels.some((c) => state.channels.get(c)?.type === "public"),
    public_url_shared: false,
    display_as_bot: false,
    username: "",
    url_private: `${fileBase(state, f)}/${encodeURIComponent(f.name)}`,
    url_private_download: `${fileBase(state, f)}/download/${encodeURIComponent(f.name)}`,
    permalink: `${state.baseUrl}/files/${f.user}/${f.id}/${encodeURIComponent(f.name)}`,
    channels: f.channels.filter((c) => state.channels.get(c)?.type === "public"),
    groups: f.channels.filter((c) => state.channels.get(c)?.type === "private" || state.channels.get(c)?.type === "mpim"),
    ims: f.channels.filter((c) => state.channels.get(c)?.type === "im"),
  }
}

/** The file id in a `/files-pri/<team>-<file>/[download/]<name>` path, if it is one. */
export function fileIdFromPath(state: FakeState, path: string): string | undefined {
  const m = /^\/files-pri\/([^/-]+)-([^/]+)\/(?:download\/)?[^/]+$/.exec(path)
  return m && m[1] === state.team.id ? m[2] : undefined
}

export type Download = { kind: "bytes"; file: StoredFile; data: Buffer } | { kind: "sign_in" } | { kind: "not_found" }

/** Only the bot token with files:read (and a file the bot can see) gets bytes; anything else is sent to sign in. */
export function download(state: FakeState, fileId: string | undefined, token: string): Download {
  if (token !== state.bot.token || !state.hasScope("files:read")) return { kind: "sign_in" }
  const file = fileId ? state.files.get(fileId) : undefined
  if (!file?.data || !file.complete) return { kind: "not_found" }
  const visible = file.user === state.bot.userId || file.channels.some((c) => state.channels.get(c)?.members.has(state.bot.userId))
  return visible ? { kind: "bytes", file, data: file.data } : { kind: "not_found" }
}
