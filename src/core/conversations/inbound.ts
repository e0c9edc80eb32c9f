// What happens to a message someone posts: commands, answers to a waiting request, or a
// prompt — checked against the access rules, turned into prompt parts, then sent or queued.
import type { ChatReply, MessageEvent } from "../../chat/types.ts"
import { parseCommand, type ParsedCommand } from "../../commands/parse.ts"
import { COMMANDS, findCommand, unknownCommandText } from "../../commands/registry.ts"
import { commandSurface } from "../../commands/types.ts"
import { contextOf } from "../access/policy.ts"
import type { Verdict } from "../access/rules.ts"
import { auditEvent } from "./audit.ts"
import { commandApi } from "./command-api.ts"
import type { ConversationContext } from "./context.ts"
import type { Surface } from "./host.ts"
import { menuMessage } from "./menus.ts"
import { hasVisibleText, promptParts } from "./prompt-parts.ts"
import { bindThread, enqueue, isBusy, placeOf, sendPrompt, senderOf } from "./sending.ts"

export const NOT_ALLOWED_TO_PROMPT =
  "You are not allowed to start or continue agent sessions in this channel. Ask an administrator to add you to the access list."

/** What a person is told when they may not prompt, by the reason the rule gave. */
export function promptRefusal(verdict: Verdict): string {
  switch (verdict.reason) {
    case "direct-off":
      return "Direct messages to this bot are turned off. Mention it in a channel it serves instead."
    case "unknown-user":
      return "I could not look up who you are on this server, so I cannot take requests from you right now. Try again in a moment."
    default:
      return NOT_ALLOWED_TO_PROMPT
  }
}

export const NOT_YOUR_THREAD = "This thread belongs to someone else: only its owner, an approver or an administrator can do that here."

export async function onMessage(ctx: ConversationContext, surface: Surface, event: MessageEvent): Promise<ChatReply | void> {
  const conv = ctx.conversations.get(event.thread)
  // In a channel, only a mention starts something; a bound thread hears every reply.
  if (!conv && !event.mentioned && event.space !== "direct") return
  const command = parseCommand(event.text, ctx.settings.commandPrefix)
  if (command) return runCommand(ctx, surface, event, command)
  if (conv) {
    const answer = await ctx.interactions.onText(conv, event)
    if (answer.consumed) return answer.reply
  }
  const verdict = ctx.access.check("prompt", contextOf(event, conv?.ownerID))
  auditEvent(ctx, surface, event, "prompt", verdict.allowed, verdict.reason)
  if (!verdict.allowed) return { ephemeral: promptRefusal(verdict) }
  if (!hasVisibleText(event.text) && event.files.length === 0) {
    return conv ? undefined : { ephemeral: `Hi! Tell me what to do after the mention, or try \`${ctx.settings.commandPrefix}help\`.` }
  }
  const built = await promptParts(event.text, event.files, ctx.settings)
  if (!built.ok) return { ephemeral: built.error }
  let target = conv
  if (!target) {
    let thread = event.thread
    try {
      thread = await placeOf(surface, event)
    } catch (err) {
      ctx.log.error({ err, thread: event.thread }, "could not open a thread for a new conversation")
      ctx.notify(surface, event.thread, `Could not open a thread for this conversation: ${(err as Error).message}`)
      return
    }
    try {
      target = await bindThread(ctx, surface, { ...event, thread })
    } catch (err) {
      ctx.log.error({ err, thread }, "could not create a session")
      ctx.notify(surface, thread, `Could not start an OpenCode session: ${(err as Error).message}`)
      return
    }
  }
  if (built.notes.length > 0) ctx.notify(surface, target.thread, built.notes.join("\n"))
  if (isBusy(ctx, target)) {
    const position = enqueue(ctx, target, built.parts, senderOf(event.user))
    if (position === undefined) {
      return { ephemeral: `The queue of this thread is full (${ctx.settings.maxQueuedPerThread} messages wait already), so this one was not queued. Send it again when the current answer is done, or \`${ctx.settings.commandPrefix}abort\`.` }
    }
    ctx.notify(surface, target.thread, `⏳ Queued (position ${position}): I will send it when the current answer is done.`)
    return
  }
  await sendPrompt(ctx, target, built.parts, senderOf(event.user))
}

async function runCommand(ctx: ConversationContext, surface: Surface, event: MessageEvent, parsed: ParsedCommand): Promise<ChatReply | void> {
  const prefix = ctx.settings.commandPrefix
  const command = findCommand(parsed.name)
  if (!command) return { ephemeral: unknownCommandText(parsed.name, prefix) }
  const conv = ctx.conversations.get(event.thread)
  const access = contextOf(event, conv?.ownerID)
  if (command.needs !== "nothing") {
    const verdict = ctx.access.check("prompt", access)
    auditEvent(ctx, surface, event, `command.${command.name}`, verdict.allowed, verdict.reason)
    if (!verdict.allowed) return { ephemeral: promptRefusal(verdict) }
  }
  if (command.needs === "thread" && conv && conv.ownerID !== event.user.id) {
    const verdict = ctx.access.check("approve", access)
    const allowed = verdict.allowed && verdict.reason !== "owner"
    auditEvent(ctx, surface, event, `command.${command.name}.others-thread`, allowed, verdict.reason)
    if (!allowed) return { ephemeral: NOT_YOUR_THREAD }
  }
  const result = await command.run({
    args: parsed.args,
    user: event.user,
    surface: commandSurface(surface.platform, surface.adapter.capabilities),
    prefix,
    bound: conv !== undefined,
    admin: ctx.access.isAdmin(access),
    api: commandApi(ctx, surface, event),
    commands: COMMANDS,
  })
  if (result.reply) ctx.notify(surface, event.thread, result.reply)
  if (result.choices) {
    const menu = menuMessage(ctx.repos.menus, event.thread, result.choices, surface.adapter.capabilities, prefix, ctx.now())
    surface.outbox.slot({ thread: event.thread, priority: "first", label: `menu:${result.choices.command}` }).set(menu)
  }
  return result.ephemeral ? { ephemeral: result.ephemeral } : undefined
}
