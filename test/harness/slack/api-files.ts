// Web API methods of the external upload flow that files.uploadV2 drives:
// files.getUploadURLExternal (an upload URL on the fake) and files.completeUploadExternal
// (shares the uploaded files as one bot message, in a thread when thread_ts is given).
import type { MethodTable } from "./api.ts"
import { validateBlocks, validateText } from "./blocks.ts"
import { completeUploads, fileObject, reserveUpload, uploadUrl } from "./files.ts"
import { str } from "./http.ts"
import { createMessage } from "./messages.ts"
import { SlackError, type Json } from "./types.ts"

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

export const fileMethods: MethodTable = {
  "files.getUploadURLExternal": {
    scope: () => "files:write",
    handler: ({ state, args }) => {
      const filename = str(args.filename)
      const length = Number(args.length)
      if (!filename || !Number.isInteger(length) || length <= 0) throw new SlackError("invalid_arguments")
      const file = reserveUpload(state, state.bot.userId, filename, length)
      return { upload_url: uploadUrl(state, file.id), file_id: file.id }
    },
  },
  "files.completeUploadExternal": {
    scope: () => "files:write",
    handler: ({ state, args }) => {
      const entries = args.files
      if (!Array.isArray(entries) || entries.length === 0 || !entries.every((e) => isObject(e) && typeof e.id === "string")) {
        throw new SlackError("invalid_arguments")
      }
      const channelId = str(args.channel_id) ?? str(args.channels)
      const channel = channelId ? state.requireBotChannel(channelId) : undefined
      const comment = str(args.initial_comment)
      validateText(comment)
      validateBlocks(args.blocks)
      const files = completeUploads(
        state,
        (entries as Json[]).map((e) => ({ id: String(e.id), title: str(e.title) })),
      )
      if (channel) {
        createMessage(state, state.bot.userId, channel.id, {
          text: comment ?? "",
          blocks: args.blocks as Json[] | undefined,
          threadTs: str(args.thread_ts) || undefined,
          fileIds: files.map((f) => f.id),
        })
      }
      return { files: files.map((f) => fileObject(state, f)) }
    },
  },
}
