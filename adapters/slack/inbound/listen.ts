// The Bolt listeners: messages and mentions, clicks, the slash command and reactions, each
// filtered and de-duplicated as it arrives (one `channel:ts` for app_mention + message and for
// redeliveries; one trigger id per click or command), then mapped and delivered in channel order
// through the Inbox. Bolt acks events itself; clicks and commands are acked first, before
// anything else, and answered later through their response_url (respond.ts).
import type { App } from "@slack/bolt"
import type { Inbox } from "../../../src/chat/inbox.ts"
import type { SeenIds } from "../../../src/chat/seen-ids.ts"
import type { ChatEvent, ChatReply, ChatSink } from "../../../src/chat/types.ts"
import type { Logger } from "../../../src/log/logger.ts"
import type { Api } from "../api.ts"
import { responder } from "../respond.ts"
import { parseClick, toActionEvent, type BlockActions } from "./action.ts"
import { kindHint, toCommandEvent, type WireCommand } from "./command.ts"
import { skipReason, toMessageEvent, type InboundDeps, type WireMessage } from "./message.ts"
import { skipReaction, threadOf, toReactionEvent, type WireReaction } from "./reaction.ts"

export const EXPIRED_TEXT = "This request has expired; its buttons no longer do anything."
export const NOT_SERVED_TEXT = "Switchboard does not serve this channel."

export interface ListenContext {
  /** Identity, profiles, channels; throws until the adapter has started. */
  deps: () => InboundDeps
  api: Api
  inbox: Inbox
  seen: SeenIds
  triggers: SeenIds
  commandName: string
  sink: () => ChatSink | undefined
  /** The thread of a message we posted, if we remember it. */
  knownThread: (channel: string, ts: string) => string | undefined
  log: Logger
  now: () => number
}

const teamOf = (body: unknown, fallback: string) => {
  const b = body as { team_id?: unknown; team?: { id?: unknown } | null }
  return typeof b.team_id === "string" ? b.team_id : typeof b.team?.id === "string" ? b.team.id : fallback
}

async function deliver(ctx: ListenContext, event: ChatEvent): Promise<ChatReply | void> {
  return ctx.sink()?.(event)
}

function onMessage(ctx: ListenContext, event: unknown, body: unknown, mention: boolean): void {
  const deps = ctx.deps()
  const e = event as WireMessage
  const skip = skipReason(e, deps.me)
  if (skip) return void ctx.log.debug({ ts: e.ts, skip }, "Slack message ignored")
  const channel = e.channel ?? ""
  if (!ctx.seen.add(`${channel}:${e.ts}`)) return
  const team = teamOf(body, deps.me.team)
  ctx.inbox.push(channel, async () => {
    const c = await deps.channels.get(channel, e.channel_type)
    if (!deps.channels.allowed(c)) return void ctx.log.debug({ channel }, "message in a channel not served")
    await deliver(ctx, await toMessageEvent(deps, e, c, { team, mention }))
  })
}

async function onClick(ctx: ListenContext, body: unknown): Promise<void> {
  const deps = ctx.deps()
  const click = parseClick(body as BlockActions, deps.me.team)
  if (typeof click === "string") return void ctx.log.debug({ why: click }, "Slack interaction ignored")
  if (!ctx.triggers.add(click.triggerId)) return
  const respond = click.responseUrl ? responder(click.responseUrl, { canUpdate: true }) : undefined
  const answer = (text: string) => respond?.ephemeral(text).catch((err: unknown) => ctx.log.warn({ err }, "could not answer a click privately"))
  if (click.expiresAt !== undefined && ctx.now() > click.expiresAt) return void (await answer(EXPIRED_TEXT))
  ctx.inbox.push(click.channel, async () => {
    const c = await deps.channels.get(click.channel)
    if (!deps.channels.allowed(c)) return void (await answer(NOT_SERVED_TEXT))
    const reply = await deliver(ctx, await toActionEvent(deps, click, c, respond, ctx.now()))
    if (reply?.ephemeral) await answer(reply.ephemeral)
  })
}

function onCommand(ctx: ListenContext, command: unknown): void {
  const deps = ctx.deps()
  const cmd = command as WireCommand
  const channel = cmd.channel_id ?? ""
  if (!channel || !cmd.user_id) return
  if (cmd.trigger_id && !ctx.triggers.add(cmd.trigger_id)) return
  const respond = cmd.response_url ? responder(cmd.response_url, { canUpdate: false }) : undefined
  ctx.inbox.push(channel, async () => {
    const c = await deps.channels.get(channel, kindHint(cmd))
    if (!deps.channels.allowed(c)) return void (await respond?.ephemeral(NOT_SERVED_TEXT))
    // The core answers a command itself (through `respond`): a reply here is not shown again.
    await deliver(ctx, await toCommandEvent(deps, cmd, c, cmd.team_id ?? deps.me.team, respond, ctx.now()))
  })
}

function onReaction(ctx: ListenContext, event: unknown, body: unknown, added: boolean): void {
  const deps = ctx.deps()
  const e = event as WireReaction
  const skip = skipReaction(e, deps.me.userId)
  if (skip) return void ctx.log.debug({ skip }, "Slack reaction ignored")
  const channel = e.item?.channel ?? ""
  const ts = e.item?.ts ?? ""
  const team = teamOf(body, deps.me.team)
  ctx.inbox.push(channel, async () => {
    const c = await deps.channels.get(channel)
    if (!deps.channels.allowed(c)) return
    const root = ctx.knownThread(channel, ts) ?? (await threadOf(ctx.api, channel, ts, deps.me.userId))
    if (root === undefined) return void ctx.log.debug({ channel, ts }, "reaction on a message that is gone")
    await deliver(ctx, await toReactionEvent(deps, e, c, team, root, added))
  })
}

export function listen(app: App, ctx: ListenContext): void {
  app.event("message", async ({ event, body }) => onMessage(ctx, event, body, false))
  app.event("app_mention", async ({ event, body }) => onMessage(ctx, event, body, true))
  app.event("reaction_added", async ({ event, body }) => onReaction(ctx, event, body, true))
  app.event("reaction_removed", async ({ event, body }) => onReaction(ctx, event, body, false))
  app.action(/.*/, async ({ ack, body }) => {
    await ack()
    await onClick(ctx, body)
  })
  app.command(ctx.commandName, async ({ ack, command }) => {
    await ack()
    onCommand(ctx, command)
  })
  app.error(async (err) => ctx.log.error({ err }, "a Slack event could not be handled"))
}
