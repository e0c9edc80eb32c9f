// A `block_actions` payload (a button click or a select choice, already acknowledged by the
// listener) → ActionEvent with our opaque action id, the chosen value(s), the clicked message
// and its thread, and a Responder over the payload's `response_url` (respond.ts). A click past
// the deadline the message was posted with (the actions block's id, outbound.ts) is answered
// "expired" and never reaches the core.
import type { ActionEvent, Responder } from "../../../src/chat/types.ts"
import { spaceOf, type ChannelInfo } from "../channels.ts"
import { expiryOf } from "../outbound.ts"
import { encodeMessage, encodeThread, PLATFORM } from "../refs.ts"
import type { InboundDeps } from "./message.ts"

interface WireAction {
  type?: string
  action_id?: string
  block_id?: string
  value?: string
  selected_option?: { value?: string } | null
  selected_options?: Array<{ value?: string }>
}

export interface BlockActions {
  type?: string
  user?: { id?: string; team_id?: string }
  team?: { id?: string } | null
  channel?: { id?: string; name?: string }
  container?: { type?: string; channel_id?: string; message_ts?: string; thread_ts?: string; is_ephemeral?: boolean }
  message?: { ts?: string; thread_ts?: string }
  response_url?: string
  trigger_id?: string
  actions?: WireAction[]
}

export interface Click {
  user: string
  team: string
  channel: string
  messageTs: string
  /** "" when the clicked message is at the channel's top level. */
  threadTs: string
  actionId: string
  value?: string
  values?: string[]
  expiresAt?: number
  responseUrl?: string
  triggerId: string
}

/** The click, or the sentence saying why the payload is not one we handle. */
export function parseClick(body: BlockActions, fallbackTeam: string): Click | string {
  const action = body.actions?.[0]
  const user = body.user?.id
  const channel = body.channel?.id ?? body.container?.channel_id
  const messageTs = body.container?.message_ts ?? body.message?.ts
  if (body.type !== "block_actions" || !action?.action_id || !user || !channel || !messageTs) return "not a message click"
  const own = body.message?.thread_ts && body.message.thread_ts !== body.message.ts ? body.message.thread_ts : undefined
  const values = action.selected_options?.map((o) => o.value).filter((v): v is string => typeof v === "string")
  const single = action.selected_option?.value
  const expiresAt = expiryOf(action.block_id)
  return {
    user,
    team: body.team?.id ?? body.user?.team_id ?? fallbackTeam,
    channel,
    messageTs,
    threadTs: body.container?.thread_ts ?? own ?? "",
    actionId: action.action_id,
    ...(values ? { values, ...(values[0] !== undefined ? { value: values[0] } : {}) } : single !== undefined ? { value: single } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(body.response_url ? { responseUrl: body.response_url } : {}),
    triggerId: body.trigger_id ?? `${channel}:${messageTs}:${action.action_id}:${Date.now()}`,
  }
}

export async function toActionEvent(deps: InboundDeps, click: Click, c: ChannelInfo, respond: Responder | undefined, at: number): Promise<ActionEvent> {
  return {
    kind: "action",
    platform: PLATFORM,
    workspace: click.team,
    channel: c.id,
    ...(c.name ? { channelName: c.name } : {}),
    space: spaceOf(c.kind),
    thread: encodeThread({ team: click.team, channel: c.id, root: click.threadTs }),
    user: await deps.users.userOf(click.user),
    id: click.triggerId,
    at,
    message: encodeMessage({ channel: c.id, ts: click.messageTs }),
    actionId: click.actionId,
    ...(click.value !== undefined ? { value: click.value } : {}),
    ...(click.values ? { values: click.values } : {}),
    ...(respond ? { respond } : {}),
  }
}
