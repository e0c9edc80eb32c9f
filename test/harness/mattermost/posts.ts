// Post rules of the real server: create (thread checks, files, `from_bot`, action ids, mentions),
// edit (patch / update / button-update semantics, 16,383-rune limit, edit window, ownership),
// soft delete, ephemerals, and `clientPost`, which strips button integrations from everything a
// client sees. Operates on FakeState; no HTTP here (listings are in post-lists.ts).
import type { FakeState } from "./state.ts"
import {
  forbidden,
  MmError,
  newId,
  now,
  postNotFound,
  runeCount,
  type Broadcast,
  type Channel,
  type Json,
  type Post,
} from "./types.ts"

const MAX_PROPS_RUNES = 800_000
/** Props a button update keeps from the original post even when it sends new props. */
const RETAINED_PROPS = ["from_webhook", "override_username", "override_icon_url"]

export interface NewPost {
  channel_id: string
  message?: string
  root_id?: string
  props?: Json
  file_ids?: string[]
}

export interface PostEdit {
  message?: string
  props?: Json
  file_ids?: string[]
}

type Action = { id?: string; integration?: unknown; [k: string]: unknown }

/** Every action object inside `props.attachments[].actions[]`. */
export function actionsOf(props: Json | undefined): Action[] {
  const attachments = props?.attachments
  if (!Array.isArray(attachments)) return []
  return attachments.flatMap((a: { actions?: unknown }) =>
    Array.isArray(a?.actions) ? (a.actions.filter((x) => x && typeof x === "object") as Action[]) : [],
  )
}

/** A deep copy as clients see it: no `integration` on actions, files and reactions in metadata. */
export function clientPost(state: FakeState, post: Post): Post {
  const copy = structuredClone(post)
  for (const action of actionsOf(copy.props)) delete action.integration
  const files = copy.file_ids.map((id) => state.files.get(id)?.info).filter((f) => f !== undefined)
  const reactions = state.reactions.get(post.id) ?? []
  copy.metadata = {
    ...(files.length ? { files: structuredClone(files) } : {}),
    ...(reactions.length ? { reactions: structuredClone(reactions) } : {}),
  }
  return copy
}

export const postJson = (state: FakeState, post: Post) => JSON.stringify(clientPost(state, post))

function validate(state: FakeState, message: string, props: Json): void {
  const max = state.options.maxPostSize
  if (runeCount(message) > max) {
    throw new MmError(400, "model.post.is_valid.msg.app_error", "Invalid Message.", `message is longer than ${max} runes`)
  }
  if (runeCount(JSON.stringify(props)) > MAX_PROPS_RUNES) {
    throw new MmError(400, "model.post.is_valid.props.app_error", "Invalid Props.")
  }
}

/** Like the server: actions without an id get one, so they can be clicked. */
function fillActionIds(props: Json): void {
  for (const a of actionsOf(props)) if (!a.id) a.id = newId()
}

export function livePost(state: FakeState, id: string): Post {
  const post = state.posts.get(id)
  if (!post || post.delete_at) throw postNotFound(id)
  return post
}

export function createPost(state: FakeState, userId: string, input: NewPost): Post {
  const user = state.requireUser(userId)
  const channel = state.requireChannel(input.channel_id)
  if (!state.isMember(channel.id, userId)) throw forbidden(`channel_id=${channel.id}`)
  const message = input.message ?? ""
  const props: Json = structuredClone(input.props ?? {})
  if (user.is_bot) props.from_bot = "true"
  validate(state, message, props)
  const rootId = input.root_id ?? ""
  const root = rootId ? state.posts.get(rootId) : undefined
  if (rootId && (!root || root.delete_at || root.root_id !== "")) {
    throw new MmError(400, "api.post.create_post.root_id.app_error", "Invalid RootId parameter.")
  }
  if (root && root.channel_id !== channel.id) {
    throw new MmError(500, "api.post.create_post.channel_root_id.app_error", "Invalid ChannelId for RootId parameter.")
  }
  const fileIds = input.file_ids ?? []
  for (const id of fileIds) {
    const f = state.files.get(id)?.info
    if (!f || f.user_id !== userId || f.channel_id !== channel.id || f.post_id) {
      throw new MmError(400, "api.post.attach_files.app_error", "Unable to attach files to post.", `file_id=${id}`)
    }
  }
  fillActionIds(props)
  const t = now()
  const post: Post = {
    id: newId(),
    create_at: t,
    update_at: t,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: userId,
    channel_id: channel.id,
    root_id: rootId,
    original_id: "",
    message,
    type: "",
    props,
    hashtags: "",
    pending_post_id: "",
    reply_count: 0,
    file_ids: [...fileIds],
    has_reactions: false,
    metadata: {},
  }
  for (const id of fileIds) state.files.get(id)!.info.post_id = post.id
  state.posts.set(post.id, post)
  if (root) {
    // As the SQL store does: a reply bumps its root's update_at, so `since` queries return the root.
    root.update_at = t
    const thread = threadOf(state, root.id).filter((p) => !p.delete_at)
    for (const p of thread) p.reply_count = thread.length - 1
  }
  channel.last_post_at = t
  if (!rootId) channel.last_root_post_at = t
  channel.total_msg_count++
  state.publish(postedBroadcast(state, channel, post))
  state.changed()
  return post
}

/** User ids a post mentions: `@username` of channel members, `@channel`/`@all`, a DM's other side. */
export function mentionsOf(state: FakeState, channel: Channel, post: Post): string[] {
  const members = [...state.members(channel.id)].filter((id) => id !== post.user_id)
  if (channel.type === "D") return members
  const names = new Set<string>()
  for (const m of post.message.matchAll(/(?<![\w@])@([a-z0-9][a-z0-9._-]*)/gi)) {
    const raw = m[1]!.toLowerCase()
    names.add(raw)
    names.add(raw.replace(/[._-]+$/, ""))
  }
  if (names.has("channel") || names.has("all")) return members
  return members.filter((id) => names.has(state.users.get(id)!.username.toLowerCase()))
}

function postedBroadcast(state: FakeState, channel: Channel, post: Post): Broadcast {
  const sender = state.requireUser(post.user_id)
  const mentions = mentionsOf(state, channel, post)
  return {
    event: "posted",
    data: {
      channel_display_name: channel.type === "D" ? `@${sender.username}` : channel.display_name,
      channel_name: channel.name,
      channel_type: channel.type,
      post: postJson(state, post),
      sender_name: `@${sender.username}`,
      set_online: true,
      team_id: channel.team_id,
      ...(mentions.length ? { mentions: JSON.stringify(mentions) } : {}),
    },
    broadcast: { omit_users: null, user_id: "", channel_id: channel.id, team_id: "" },
  }
}

export type EditMode = "patch" | "update" | "action"

/**
 * One edit. `patch` changes only the given fields (given props replace all props). `update`
 * (PUT /posts/{id}) replaces message and props, omitted ones become empty, and keeps files.
 * `action` is a button's `update`: an omitted message blanks it, omitted props keep the old ones
 * (trap #27), omitted file_ids drop the files, and no owner or edit-window check applies.
 */
export function editPost(state: FakeState, userId: string, id: string, edit: PostEdit, mode: EditMode): Post {
  const post = livePost(state, id)
  if (mode !== "action") {
    const user = state.requireUser(userId)
    if (post.user_id !== userId && !user.roles.includes("system_admin")) throw forbidden(`post_id=${id}`)
    const limit = state.options.postEditTimeLimitSeconds
    if (limit !== undefined && limit >= 0 && Date.now() > post.create_at + limit * 1000) {
      throw new MmError(
        400,
        "api.post.update_post.permissions_time_limit.app_error",
        `Post edit is only allowed for ${limit} seconds. Please ask your System Administrator for details.`,
      )
    }
  }
  const message = mode === "patch" ? (edit.message ?? post.message) : (edit.message ?? "")
  let props: Json
  if (mode === "update") props = structuredClone(edit.props ?? {})
  else if (!edit.props) props = post.props
  else {
    props = structuredClone(edit.props)
    if (mode === "action") {
      for (const k of RETAINED_PROPS) {
        if (k in post.props) props[k] = post.props[k]
        else delete props[k]
      }
    }
  }
  validate(state, message, props)
  fillActionIds(props)
  const t = now()
  if (message !== post.message) post.edit_at = t
  post.message = message
  post.props = props
  if (mode === "action") post.file_ids = edit.file_ids ?? []
  post.update_at = t
  const root = post.root_id ? state.posts.get(post.root_id) : undefined
  if (root && root.update_at < t) root.update_at = t
  state.publish({
    event: "post_edited",
    data: { post: postJson(state, post) },
    broadcast: { omit_users: null, user_id: "", channel_id: post.channel_id, team_id: "" },
  })
  state.changed()
  return post
}

/** Soft delete; deleting a root also deletes its replies (one `post_deleted` for the root). */
export function deletePost(state: FakeState, userId: string, id: string): Post {
  const post = livePost(state, id)
  const user = state.requireUser(userId)
  if (post.user_id !== userId && !user.roles.includes("system_admin")) throw forbidden(`post_id=${id}`)
  const t = now()
  const doomed = post.root_id ? [post] : threadOf(state, post.id)
  for (const p of doomed) {
    p.delete_at = t
    p.update_at = t
    p.props = { ...p.props, deleteBy: userId }
  }
  state.publish({
    event: "post_deleted",
    data: { post: postJson(state, post), delete_by: userId },
    broadcast: { omit_users: null, user_id: "", channel_id: post.channel_id, team_id: "" },
  })
  state.changed()
  return post
}

/** Root first, then replies in creation order (deleted ones included). */
export function threadOf(state: FakeState, rootId: string): Post[] {
  return [...state.posts.values()].filter((p) => p.id === rootId || p.root_id === rootId)
}

/** An ephemeral post: stored only in the recipient's record and sent only to their sockets. */
export function sendEphemeral(state: FakeState, targetUserId: string, input: NewPost & { user_id: string }): Post {
  state.requireUser(targetUserId)
  const channel = state.requireChannel(input.channel_id)
  const t = now()
  const post: Post = {
    id: newId(),
    create_at: t,
    update_at: t,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: input.user_id,
    channel_id: channel.id,
    root_id: input.root_id ?? "",
    original_id: "",
    message: input.message ?? "",
    type: "system_ephemeral",
    props: structuredClone(input.props ?? {}),
    hashtags: "",
    pending_post_id: "",
    reply_count: 0,
    file_ids: [],
    has_reactions: false,
    metadata: {},
  }
  state.ephemerals.push({ userId: targetUserId, post })
  state.publish({
    event: "ephemeral_message",
    data: { post: postJson(state, post) },
    broadcast: { omit_users: null, user_id: targetUserId, channel_id: channel.id, team_id: "" },
  })
  state.changed()
  return post
}
