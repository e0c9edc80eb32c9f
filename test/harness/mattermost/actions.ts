// Interactive buttons: a click (REST `doPostAction` or the test hook) POSTs the real server's
// integration request to the action's stored `integration.url`, then applies the answer:
// `update` through editPost's "action" mode and `ephemeral_text` as an ephemeral post for the
// clicker. Failures become the real server's AppErrors.
import { actionsOf, editPost, livePost, sendEphemeral } from "./posts.ts"
import type { FakeState } from "./state.ts"
import { MmError, newId, type Json, type Post } from "./types.ts"

export interface Integration {
  url?: string
  context?: Json
}

export interface ClickResult {
  status: "OK"
  trigger_id: string
}

const integrationError = (detail: string) =>
  new MmError(400, "api.post.do_action.action_integration.app_error", "Action integration error.", detail)

export function integrationOf(state: FakeState, postId: string, actionId: string): Integration {
  const post = state.posts.get(postId)
  const action = actionsOf(post?.props).find((a) => a.id === actionId)
  if (!action?.integration) {
    throw new MmError(404, "api.post.do_action.action_id.app_error", "Invalid action id.", `action=${actionId}`)
  }
  return action.integration as Integration
}

/** Slack-style `<url|text>` links become Markdown, as the server does unless skip_slack_parsing. */
const slackLinksToMarkdown = (s: string) => s.replace(/<([^<>|]+)\|([^<>]+)>/g, "[$2]($1)")

export async function doPostAction(
  state: FakeState,
  userId: string,
  postId: string,
  actionId: string,
  selectedOption: string,
  timeoutMs: number,
): Promise<ClickResult> {
  const post = livePost(state, postId)
  const channel = state.requireRead(userId, post.channel_id)
  const action = actionsOf(post.props).find((a) => a.id === actionId)
  const integration = integrationOf(state, postId, actionId)
  const user = state.requireUser(userId)
  const type = typeof action?.type === "string" ? action.type : ""
  const context = integration.context ? structuredClone(integration.context) : undefined
  const request: Json = {
    user_id: userId,
    user_name: user.username,
    channel_id: channel.id,
    channel_name: channel.name,
    team_id: channel.team_id,
    team_domain: state.teams.get(channel.team_id)?.name ?? "",
    post_id: postId,
    trigger_id: newId(),
    type,
    data_source: type === "select" && selectedOption && typeof action?.data_source === "string" ? action.data_source : "",
  }
  if (type === "select" && selectedOption) request.context = { ...context, selected_option: selectedOption }
  else if (context) request.context = context
  const record = { postId, actionId, userId, request, ok: false, detail: "" }
  state.clicks.push(record)
  try {
    const answer = await callIntegration(integration.url ?? "", request, timeoutMs)
    applyAnswer(state, userId, post, answer)
    record.ok = true
    return { status: "OK", trigger_id: request.trigger_id as string }
  } catch (err) {
    record.detail = err instanceof MmError ? `${err.id} ${err.detailedError}` : String(err)
    throw err
  } finally {
    state.changed()
  }
}

async function callIntegration(url: string, body: Json, timeoutMs: number): Promise<Json> {
  let res: Response
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (err) {
    throw integrationError(`err=${(err as Error).message}`)
  }
  const text = await res.text().catch(() => "")
  if (res.status !== 200) throw integrationError(`status=${res.status}`)
  if (!text) return {}
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed && typeof parsed === "object" ? (parsed as Json) : {}
  } catch {
    throw integrationError("invalid JSON in the integration response")
  }
}

function applyAnswer(state: FakeState, userId: string, post: Post, answer: Json): void {
  const update = answer.update as { message?: string; props?: Json; file_ids?: string[] } | null | undefined
  if (update && typeof update === "object") editPost(state, userId, post.id, update, "action")
  const text = answer.ephemeral_text
  if (typeof text === "string" && text !== "") {
    sendEphemeral(state, userId, {
      user_id: userId,
      channel_id: post.channel_id,
      root_id: post.root_id || post.id,
      message: answer.skip_slack_parsing ? text : slackLinksToMarkdown(text),
    })
  }
}
