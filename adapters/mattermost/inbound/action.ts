// The button/select callback route: Mattermost POSTs `{user_id, post_id, trigger_id, type,
// context, …}` when someone clicks. Refuses callbacks from addresses outside the allow-list,
// verifies our signed context (made by us, for this very post, not past its deadline), refuses
// replays, turns the click into an ActionEvent, and answers with the core's ephemeral reply.
import { BlockList, isIP } from "node:net"
import type { Post } from "@mattermost/types/posts"
import { z } from "zod"
import type { ActionEvent, ChatSink, HttpRequest, HttpResponse, HttpRoute } from "../../../src/chat/types.ts"
import { isChatError } from "../../../src/chat/errors.ts"
import { withDeadline } from "../../../src/timing/deadline.ts"
import type { Channels } from "../channels.ts"
import { LIMITS } from "../limits.ts"
import { encodeMessage, PLATFORM, threadOfPost } from "../refs.ts"
import type { SeenIds } from "../../../src/chat/seen-ids.ts"
import { verifyContext } from "../signing.ts"
import { spaceOf, userOf, type InboundDeps } from "./posted.ts"

export interface ActionDeps {
  /** Identity, profiles, REST and log; throws until the adapter has started. */
  inbound: () => InboundDeps
  log: InboundDeps["log"]
  path: string
  secret: string
  channels: Channels
  triggers: SeenIds
  sink: () => ChatSink | undefined
  /** Addresses (IPs, CIDR ranges) callbacks may come from; absent = any. */
  allowFrom?: string[]
  now?: () => number
}

const callbackSchema = z.object({
  user_id: z.string().min(1),
  post_id: z.string().min(1),
  trigger_id: z.string().min(1),
  type: z.string().optional(),
  context: z
    .object({ action: z.string().min(1), post: z.string().min(1), exp: z.number().int(), sig: z.string().min(1), selected_option: z.unknown().optional() })
    .passthrough(),
})

type Callback = z.infer<typeof callbackSchema>

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
  const result = callbackSchema.safeParse(body)
  if (!result.success) {
    const issue = result.error.issues[0]
    return `"${issue?.path.join(".") || "body"}" ${issue?.message ?? "is invalid"}`
  }
  return result.data
}

/** An allow-list of addresses and ranges; undefined when every address may call. */
export function addressFilter(entries: string[] | undefined): ((address: string | undefined) => boolean) | undefined {
  if (!entries || entries.length === 0) return undefined
  const list = new BlockList()
  for (const entry of entries) {
    const [address = "", bits] = entry.split("/")
    const family = isIP(address) === 6 ? "ipv6" : "ipv4"
    if (!isIP(address)) throw new Error(`mattermost.callbackAllowFrom: "${entry}" is not an IP address or CIDR range`)
    if (bits !== undefined) list.addSubnet(address, Number(bits), family)
    else list.addAddress(address, family)
  }
  return (address) => {
    if (!address) return false
    const plain = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address
    return list.check(plain, isIP(plain) === 6 ? "ipv6" : "ipv4")
  }
}

async function handle(deps: ActionDeps, allowed: ReturnType<typeof addressFilter>, req: HttpRequest): Promise<HttpResponse> {
  if (allowed && !allowed(req.remoteAddress)) {
    deps.log.warn({ from: req.remoteAddress }, "action callback refused: not from an allowed address (mattermost.callbackAllowFrom)")
    return answer(403, { error: "callbacks are accepted only from the chat server's addresses" })
  }
  const cb = parse(req)
  if (typeof cb === "string") return answer(400, { error: `malformed Mattermost action callback: ${cb}` })
  const verdict = verifyContext(deps.secret, cb.context, cb.post_id, (deps.now ?? Date.now)())
  if (!verdict.ok) {
    deps.log.warn({ postId: cb.post_id, userId: cb.user_id, refused: verdict.kind }, `action callback refused: ${verdict.error}`)
    return verdict.kind === "expired" ? answer(200, { ephemeral_text: verdict.error, skip_slack_parsing: true }) : answer(verdict.status, { error: verdict.error })
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
    ...(channel.name ? { channelName: channel.name } : {}),
    space: spaceOf(channel.type),
    thread: threadOfPost(post, channel).ref,
    user: await userOf(inbound, cb.user_id),
    id: cb.trigger_id,
    at: (deps.now ?? Date.now)(),
    message: encodeMessage({ channel: channel.id, post: post.id }),
    actionId: cb.context.action,
    ...(typeof selected === "string" && selected ? { value: selected } : {}),
  }
  const result = await withDeadline(sink(event), LIMITS.callbackSinkTimeoutMs)
  if (!result.done) {
    deps.log.warn({ postId: post.id, actionId: event.actionId }, "action callback: the core is still working; answered without a reply")
    return answer(200, {})
  }
  const text = result.value?.ephemeral
  return answer(200, text ? { ephemeral_text: text, skip_slack_parsing: true } : {})
}

export function actionRoute(deps: ActionDeps): HttpRoute {
  const allowed = addressFilter(deps.allowFrom)
  return {
    method: "POST",
    path: deps.path,
    handle: async (req) => {
      try {
        return await handle(deps, allowed, req)
      } catch (err) {
        deps.log.error({ err }, "action callback failed")
        return answer(500, { error: `the relay could not handle the click: ${(err as Error).message}` })
      }
    },
  }
}
