// REST routes for content: posts (create, get, patch, update, delete, thread, channel listings,
// ephemeral), reactions, files and button clicks. Thin: parse, call posts.ts / reactions.ts /
// files.ts / actions.ts, and answer with client-visible (integration-stripped) posts.
import { doPostAction } from "./actions.ts"
import { fileInfosForPost, readableFile, uploadFile } from "./files.ts"
import { formBody, jsonBody, ok, route, statusOk, type Ctx, type Route } from "./http.ts"
import { channelPosts, postList } from "./post-lists.ts"
import { clientPost, createPost, deletePost, editPost, livePost, sendEphemeral, threadOf, type NewPost, type PostEdit } from "./posts.ts"
import { addReaction, reactionsFor, removeReaction } from "./reactions.ts"
import { badParam, MmError, type Json } from "./types.ts"

function objectBody<T>(ctx: Ctx, name: string): T {
  const body = jsonBody<unknown>(ctx)
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badParam(name)
  return body as T
}

function readablePost(ctx: Ctx, id: string) {
  const post = livePost(ctx.state, id)
  ctx.state.requireRead(ctx.userId, post.channel_id)
  return post
}

function intParam(q: URLSearchParams, name: string, fallback: number): number {
  const v = q.get(name)
  if (v === null || v === "") return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw badParam(name)
  return n
}

export const postRoutes: Route[] = [
  route("POST", "/posts", (ctx) => {
    const body = objectBody<NewPost>(ctx, "post")
    if (!body.channel_id) throw badParam("channel_id")
    return ok(clientPost(ctx.state, createPost(ctx.state, ctx.userId, body)), 201)
  }),
  route("POST", "/posts/ephemeral", (ctx) => {
    const body = objectBody<{ user_id?: string; post?: NewPost }>(ctx, "ephemeral_post")
    if (!body.user_id) throw badParam("user_id")
    if (!body.post?.channel_id) throw badParam("channel_id")
    ctx.state.requireRead(ctx.userId, body.post.channel_id)
    const post = sendEphemeral(ctx.state, body.user_id, { ...body.post, user_id: ctx.userId })
    return ok(clientPost(ctx.state, post), 201)
  }),
  route("GET", "/posts/:id", (ctx) => ok(clientPost(ctx.state, readablePost(ctx, ctx.params.id!)))),
  route("PUT", "/posts/:id", (ctx) => {
    const body = objectBody<PostEdit & { id?: string }>(ctx, "post")
    if (body.id && body.id !== ctx.params.id) throw badParam("id")
    return ok(clientPost(ctx.state, editPost(ctx.state, ctx.userId, ctx.params.id!, body, "update")))
  }),
  route("PUT", "/posts/:id/patch", (ctx) => {
    const body = objectBody<PostEdit>(ctx, "post")
    return ok(clientPost(ctx.state, editPost(ctx.state, ctx.userId, ctx.params.id!, body, "patch")))
  }),
  route("DELETE", "/posts/:id", (ctx) => {
    deletePost(ctx.state, ctx.userId, ctx.params.id!)
    return statusOk()
  }),
  route("GET", "/posts/:id/thread", (ctx) => {
    const post = readablePost(ctx, ctx.params.id!)
    return ok(postList(ctx.state, threadOf(ctx.state, post.root_id || post.id).filter((p) => !p.delete_at)))
  }),
  route("GET", "/channels/:id/posts", (ctx) => {
    ctx.state.requireRead(ctx.userId, ctx.params.id!)
    const q = ctx.query
    if (q.has("before") || q.has("after")) {
      throw new MmError(400, "fake.not_implemented.app_error", "fake-mattermost: before/after paging is not implemented")
    }
    const since = q.has("since") ? intParam(q, "since", 0) : undefined
    const page = intParam(q, "page", 0)
    const perPage = intParam(q, "per_page", 60)
    return ok(channelPosts(ctx.state, ctx.params.id!, { since, page, perPage, skipFetchThreads: q.get("skipFetchThreads") === "true" }))
  }),
  route("GET", "/posts/:id/files/info", (ctx) => ok(fileInfosForPost(ctx.state, readablePost(ctx, ctx.params.id!).id))),
  route("POST", "/reactions", (ctx) => {
    const b = objectBody<{ user_id?: string; post_id?: string; emoji_name?: string }>(ctx, "reaction")
    return ok(addReaction(ctx.state, ctx.userId, b.user_id ?? "", b.post_id ?? "", b.emoji_name ?? ""), 201)
  }),
  route("DELETE", "/users/:user/posts/:post/reactions/:emoji", (ctx) => {
    const user = ctx.params.user === "me" ? ctx.userId : ctx.params.user!
    removeReaction(ctx.state, ctx.userId, user, ctx.params.post!, ctx.params.emoji!)
    return statusOk()
  }),
  route("GET", "/posts/:id/reactions", (ctx) => ok(reactionsFor(ctx.state, readablePost(ctx, ctx.params.id!).id))),
  route("POST", "/files", async (ctx) => {
    const form = await formBody(ctx)
    const channelId = String(form.get("channel_id") ?? ctx.query.get("channel_id") ?? "")
    if (!channelId) throw badParam("channel_id")
    const files = form.getAll("files").filter((f): f is File => typeof f !== "string")
    if (!files.length) throw new MmError(400, "api.file.upload_file.incorrect_number_of_files.app_error", "No files uploaded.")
    const infos = []
    for (const f of files) {
      infos.push(uploadFile(ctx.state, ctx.userId, channelId, { name: f.name, mime: f.type, data: Buffer.from(await f.arrayBuffer()) }))
    }
    return ok({ file_infos: infos, client_ids: form.getAll("client_ids").map(String) }, 201)
  }),
  route("GET", "/files/:id", (ctx) => {
    const file = readableFile(ctx.state, ctx.userId, ctx.params.id!)
    const disposition = `attachment;filename="${encodeURIComponent(file.info.name)}"`
    return { bytes: file.data, contentType: file.info.mime_type, headers: { "Content-Disposition": disposition } }
  }),
  route("GET", "/files/:id/info", (ctx) => ok(readableFile(ctx.state, ctx.userId, ctx.params.id!).info)),
  route("POST", "/posts/:id/actions/:action([A-Za-z0-9]+)", async (ctx) => {
    const body = ctx.raw.length ? objectBody<Json>(ctx, "post_action") : {}
    const selected = typeof body.selected_option === "string" ? body.selected_option : ""
    return ok(await doPostAction(ctx.state, ctx.userId, ctx.params.id!, ctx.params.action!, selected, ctx.actionTimeoutMs))
  }),
]
