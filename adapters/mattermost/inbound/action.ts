// The button/select callback route: Mattermost POSTs `{user_id, post_id, trigger_id, type,
// context, …}` when someone clicks. Verifies our signed context and refuses replays, turns the
// click into an ActionEvent, and answers with the core's ephemeral reply (never `update`).
import type { Post } from "@mattermost/types/posts"
import type { ActionEvent, ChatSink, HttpRequest, HttpResponse, HttpRoute } from "../../../src/chat/types.ts"
import { isChatError } from "../../../src/chat/errors.ts"
import type { Channels } from "../channels.ts"
import { LIMITS } from "../limits.ts"
import { encodeMessage, PLATFORM, threadOfPost } from "../refs.ts"
import type { SeenIds } from "../seen.ts"
import { verifyContext, type SignedContext } from "../signing.ts"
import { userOf, type InboundDeps } from "./posted.ts"

export interface ActionDeps {
  /** Identity, profiles, REST and log; throws until the adapter has started. */
  inbound: () => InboundDeps
  log: InboundDeps["log"]
  path: string
  secret: string
  channels: Channels
  triggers: SeenIds
  sink: () => ChatSink | undefined
  now?: () => number
}

interface Callback {
  user_id: string
  post_id: string
  trigger_id: string
  type: string
  context: SignedContext & { selected_option?: unknown }
}

const answer = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
})

/** The callback body, or the sentence saying what is wrong with it. */
function parse(req: HttpRequest): Callback | string {
  if (req.body.length > LIMITS.callbackMaxBodyBytes) return `body over ${LIMITS.callbackMaxBodyBytes} bytes`
  let body: unknown
  try {
    body = JSON.parse(req.body.toString("utf8"))
  } catch {
    return "body is not JSON"
  }
  if (!body || typeof body !== "object") return "body is not a JSON object"
  const b = body as Record<string, unknown>
  for (const key of ["user_id", "post_id", "trigger_id"]) {
    if (typeof b[key] !== "string" || !b[key]) return `"${key}" is missing`
  }
  const c = b.context as Record<string, unknown> | undefined
  if (!c || typeof c !== "object") return `"context" is missing`
  if (typeof c.action !== "string" || !c.action) return `"context.action" is missing`
  if (typeof c.exp !== "number" || !Number.isInteger(c.exp)) return `"context.exp" is missing`
  if (typeof c.sig !== "string" || !c.sig) return `"context.sig" is missing`
  return { ...(b as unknown as Callback), type: typeof b.type === "string" ? b.type : "" }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<{ done: false }>((resolve) => (timer = setTimeout(() => resolve({ done: false }), ms)))
  try {
    return await Promise.race([work.then((value) => ({ done: true as const, value })), late])
  } finally {
    clearTimeout(timer)
  }
}

async function handle(deps: ActionDeps, req: HttpRequest): Promise<HttpResponse> {
  const cb = parse(req)
  if (typeof cb === "string") return answer(400, { error: `malformed Mattermost action callback: ${cb}` })
  const verdict = verifyContext(deps.secret, cb.context, (deps.now ?? Date.now)())
  if (!verdict.ok) {
    deps.log.warn({ postId: cb.post_id, userId: cb.user_id, status: verdict.status }, `action callback refused: ${verdict.error}`)
    return answer(verdict.status, { error: verdict.error })
  }
  const sink = deps.sink()
  if (!sink) return answer(503, { error: "the relay is not accepting events yet; try again shortly" })
  if (!deps.triggers.add(cb.trigger_id)) {
    deps.log.warn({ postId: cb.post_id, triggerId: cb.trigger_id }, "action callback refused: trigger id replayed")
    return answer(403, { error: "this click was already handled (trigger_id replayed)" })
  }
  const inbound = deps.inbound()
  let post: Post
  try {
    post = await inbound.rest.get<Post>(`read clicked post ${cb.post_id}`, inbound.rest.client.getPostRoute(cb.post_id))
  } catch (err) {
    deps.log.warn({ err, postId: cb.post_id }, "action callback: the clicked post cannot be read")
    return answer(isChatError(err, "not_found") ? 404 : 502, { error: `the clicked post cannot be read: ${(err as Error).message}` })
  }
  const channel = await deps.channels.get(post.channel_id)
  const selected = cb.context.selected_option
  const event: ActionEvent = {
    kind: "action",
    platform: PLATFORM,
    workspace: channel.teamId,
    channel: channel.id,
    thread: threadOfPost(post, channel).ref,
    user: await userOf(inbound, cb.user_id),
    id: cb.trigger_id,
    at: (deps.now ?? Date.now)(),
    message: encodeMessage({ channel: channel.id, post: post.id }),
    actionId: cb.context.action,
    ...(typeof selected === "string" && selected ? { value: selected } : {}),
  }
  const result = await withTimeout(sink(event), LIMITS.callbackSinkTimeoutMs)
  if (!result.done) {
    deps.log.warn({ postId: post.id, actionId: event.actionId }, "action callback: the core is still working; answered without a reply")
    return answer(200, {})
  }
  const text = result.value?.ephemeral
  return answer(200, text ? { ephemeral_text: text, skip_slack_parsing: true } : {})
}

export function actionRoute(deps: ActionDeps): HttpRoute {
  return {
    method: "POST",
    path: deps.path,
    handle: async (req) => {
      try {
        return await handle(deps, req)
      } catch (err) {
        deps.log.error({ err }, "action callback failed")
        return answer(500, { error: `the relay could not handle the click: ${(err as Error).message}` })
      }
    },
  }
}
