// Wire shapes of the fake Mattermost (the JSON the real server sends), the AppError the REST
// layer turns into `{id, message, detailed_error, request_id, status_code}`, ids and the clock.
// Imports nothing from the rest of the fake, so every other file may import it.
import { randomBytes } from "node:crypto"

export type Json = Record<string, unknown>

export interface User {
  id: string
  username: string
  first_name: string
  last_name: string
  nickname: string
  email: string
  roles: string
  is_bot: boolean
  create_at: number
  update_at: number
  delete_at: number
  locale: string
  auth_service: string
  props: Record<string, string>
}

export interface Team {
  id: string
  name: string
  display_name: string
  type: "O" | "I"
  create_at: number
  update_at: number
  delete_at: number
}

export type ChannelType = "O" | "P" | "D" | "G"

export interface Channel {
  id: string
  team_id: string
  type: ChannelType
  name: string
  display_name: string
  header: string
  purpose: string
  creator_id: string
  create_at: number
  update_at: number
  delete_at: number
  last_post_at: number
  last_root_post_at: number
  total_msg_count: number
}

export interface FileInfo {
  id: string
  user_id: string
  channel_id: string
  post_id: string
  create_at: number
  update_at: number
  delete_at: number
  name: string
  extension: string
  size: number
  mime_type: string
  has_preview_image: boolean
}

export interface Reaction {
  user_id: string
  post_id: string
  emoji_name: string
  create_at: number
  update_at: number
  delete_at: number
  channel_id: string
  remote_id: string
}

export interface Post {
  id: string
  create_at: number
  update_at: number
  edit_at: number
  delete_at: number
  is_pinned: boolean
  user_id: string
  channel_id: string
  root_id: string
  original_id: string
  message: string
  type: string
  props: Json
  hashtags: string
  pending_post_id: string
  reply_count: number
  file_ids: string[]
  has_reactions: boolean
  metadata: { files?: FileInfo[]; reactions?: Reaction[] }
}

/** A post as the views return it: what clients see, plus a convenience flag. */
export type PostView = Post & { deleted: boolean }

/** One server → client WebSocket event before its per-connection `seq` is added. */
export interface Broadcast {
  event: string
  data: Json
  broadcast: { omit_users: Record<string, boolean> | null; user_id: string; channel_id: string; team_id: string }
}

/** A Mattermost AppError; the HTTP layer serialises it. */
export class MmError extends Error {
  readonly status: number
  readonly id: string
  readonly detailedError: string
  constructor(status: number, id: string, message: string, detailedError = "") {
    super(message)
    this.name = "MmError"
    this.status = status
    this.id = id
    this.detailedError = detailedError
  }
  body(requestId: string): Json {
    return { id: this.id, message: this.message, detailed_error: this.detailedError, request_id: requestId, status_code: this.status }
  }
}

export const forbidden = (detail = "") =>
  new MmError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.", detail)
export const postNotFound = (id: string) =>
  new MmError(404, "app.post.get.app_error", "Unable to get the post.", `post_id=${id}`)
export const badParam = (name: string) =>
  new MmError(400, "api.context.invalid_param.app_error", `Invalid or missing ${name} parameter in request URL.`)

const ID_ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769"

/** 26 characters of Mattermost's base32 alphabet, like `model.NewId()`. */
export function newId(): string {
  return [...randomBytes(26)].map((b) => ID_ALPHABET[b % 32]).join("")
}

let lastMs = 0
/** Milliseconds, strictly increasing across calls so `since` queries are unambiguous. */
export function now(): number {
  lastMs = Math.max(Date.now(), lastMs + 1)
  return lastMs
}

/** Length in Unicode code points, as Go's `utf8.RuneCountInString`. */
export const runeCount = (s: string) => [...s].length
