// Uploaded files: stored bytes plus a FileInfo. A file belongs to its uploader and channel until a
// post claims it through `file_ids` (posts.ts does that); content and info are then readable by
// anyone who can read the channel, which is how a relay downloads what a user attached.
import type { FakeState } from "./state.ts"
import { forbidden, MmError, newId, now, type FileInfo } from "./types.ts"

export interface Upload {
  name: string
  mime: string
  data: Buffer | Uint8Array | string
}

export function uploadFile(state: FakeState, userId: string, channelId: string, upload: Upload): FileInfo {
  state.requireChannel(channelId)
  if (!state.isMember(channelId, userId)) throw forbidden(`channel_id=${channelId}`)
  const data = Buffer.from(upload.data)
  const dot = upload.name.lastIndexOf(".")
  const t = now()
  const info: FileInfo = {
    id: newId(),
    user_id: userId,
    channel_id: channelId,
    post_id: "",
    create_at: t,
    update_at: t,
    delete_at: 0,
    name: upload.name,
    extension: dot > 0 ? upload.name.slice(dot + 1).toLowerCase() : "",
    size: data.length,
    mime_type: upload.mime || "application/octet-stream",
    has_preview_image: upload.mime.startsWith("image/"),
  }
  state.files.set(info.id, { info, data })
  state.changed()
  return info
}

/** The stored file if `userId` may read it: its uploader, or a reader of the post's channel. */
export function readableFile(state: FakeState, userId: string, fileId: string) {
  const file = state.files.get(fileId)
  if (!file) throw new MmError(404, "app.file_info.get.app_error", "Unable to get the file info.", `file_id=${fileId}`)
  if (file.info.user_id === userId) return file
  if (!file.info.post_id) throw forbidden(`file_id=${fileId}`)
  state.requireRead(userId, file.info.channel_id)
  return file
}

export function fileInfosForPost(state: FakeState, postId: string): FileInfo[] {
  const post = state.posts.get(postId)
  if (!post) return []
  return post.file_ids.map((id) => state.files.get(id)?.info).filter((f) => f !== undefined).map((f) => structuredClone(f))
}
