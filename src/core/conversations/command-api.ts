// The commands' view of a thread: start a new session, abort, report status.
import type { MessageEvent, ThreadRef } from "../../chat/types.ts"
import type { CommandApi } from "../../commands/types.ts"
import { formatCost, formatDuration, formatTokens } from "../../delivery/render/format.ts"
import { contextOf } from "../access/policy.ts"
import { auditEvent } from "./audit.ts"
import type { ConversationContext } from "./context.ts"
import type { Surface } from "./host.ts"
import { promptParts } from "./prompt-parts.ts"
import { bindThread, isBusy, sendPrompt, senderOf } from "./sending.ts"
import { threadName } from "./thread-name.ts"

/** Posts the message a new conversation's thread opens on, and opens it (ChatAdapter.openThread). */
async function starterThread(surface: Surface, event: MessageEvent, prompt: string | undefined): Promise<ThreadRef> {
  const open = surface.adapter.openThread
  if (!open) return event.thread
  const name = threadName(prompt ?? "")
  const who = event.user.name ? `@${event.user.name}` : event.user.displayName ?? "someone"
  const starter = surface.outbox.slot({ thread: event.thread, priority: "first", label: "thread-start" })
  starter.set({ text: `🧵 **${name}** — a new OpenCode session for ${who}` })
  await starter.settled()
  if (!starter.ref) throw new Error("could not post the message that starts the thread")
  return open.call(surface.adapter, starter.ref, event.thread, name)
}

export function commandApi(ctx: ConversationContext, surface: Surface, event: MessageEvent): CommandApi {
  const current = () => ctx.conversations.get(event.thread)
  const audit = (action: string, detail?: string) => auditEvent(ctx, surface, event, action, true, detail)

  return {
    async newSession(prompt) {
      let parts
      if (prompt) {
        const built = await promptParts(prompt, event.files, ctx.settings)
        if (!built.ok) return built.error
        parts = built.parts
      }
      const conv = current()
      if (conv?.run) {
        const run = conv.run
        await ctx.client.sessions.abort(conv.binding.directory, conv.sessionID).catch((err: unknown) => ctx.log.warn({ err }, "abort before !new failed"))
        await run.fail("Stopped: a new session was started in this thread.")
      }
      const dropped = ctx.repos.queue.clear(event.thread)
      // A command at a channel's top level (not a mention, which has its own message): the
      // conversation gets a thread, opened on a message posted here to start it.
      const thread = !conv && event.threadStart && !event.message ? await starterThread(surface, event, prompt) : event.thread
      const fresh = await bindThread(ctx, surface, { ...event, thread }, conv?.binding)
      audit("session.new", fresh.sessionID)
      const note = `🆕 New session \`${fresh.sessionID}\`.${dropped ? ` Dropped ${dropped} queued message${dropped === 1 ? "" : "s"}.` : ""}`
      if (parts || thread !== event.thread) ctx.notify(surface, thread, note)
      if (parts) await sendPrompt(ctx, fresh, parts, senderOf(event.user))
      return parts || thread !== event.thread ? "" : note
    },

    async abort() {
      const conv = current()
      if (!conv) return "This thread has no session."
      const dropped = ctx.repos.queue.clear(event.thread)
      const tail = dropped ? ` Dropped ${dropped} queued message${dropped === 1 ? "" : "s"}.` : ""
      if (!isBusy(ctx, conv)) return `Nothing is running.${tail}`
      await ctx.client.sessions.abort(conv.binding.directory, conv.sessionID)
      audit("session.abort", conv.sessionID)
      return `⏹ Stopping the current answer.${tail}`
    },

    async grants() {
      const conv = current()
      if (!conv) return []
      return ctx.repos.grants.active(conv.thread, conv.directory).map((g) => ({ id: g.id, scope: g.scope, permission: g.permission, patterns: g.patterns, by: g.grantedBy, at: g.grantedAt }))
    },

    async revokeGrant(id) {
      const conv = current()
      const grant = ctx.repos.grants.get(id)
      if (!conv || !grant || grant.revokedAt !== undefined || grant.directory !== conv.directory || (grant.scope === "thread" && grant.thread !== conv.thread)) {
        return `There is no grant #${id} in force here.`
      }
      const who = contextOf(event, conv.ownerID)
      const allowed = grant.scope === "project" ? ctx.access.isAdmin(who) : conv.ownerID === event.user.id || ctx.access.check("approve", who).allowed
      auditEvent(ctx, surface, event, "grant.revoke", allowed, `#${id}`)
      if (!allowed) return grant.scope === "project" ? "Only an administrator can revoke a project-wide grant." : "Only the thread's owner, an approver or an administrator can revoke this grant."
      ctx.repos.grants.revoke(id, event.user.name ? `@${event.user.name}` : event.user.id, ctx.now())
      return `Revoked #${id}: \`${grant.permission}\` ${grant.patterns.map((p) => `\`${p}\``).join(", ")} asks again from now on.`
    },

    async status({ paths }) {
      const conv = current()
      if (!conv) return "This thread has no session."
      const session = ctx.store.session(conv.sessionID)
      const info = session?.info
      const lastAssistant = [...(session?.messages ?? [])].reverse().find((m) => m.info.role === "assistant")?.info
      const model =
        lastAssistant && lastAssistant.role === "assistant"
          ? `${lastAssistant.providerID}/${lastAssistant.modelID}`
          : ctx.repos.channels.get(conv.binding.platform, conv.channel)?.model ?? ctx.settings.model ?? (info?.model ? `${info.model.providerID}/${info.model.id}` : "the server default")
      const pending = ctx.store.pending(conv.sessionID)
      const waiting = pending.permissions.length + pending.questions.length
      const queued = ctx.repos.queue.list(conv.thread).length
      const state = conv.stale ? "gone (a new session starts with your next message)" : session?.derived ?? "idle"
      const running = conv.run ? ` (current answer started ${formatDuration(ctx.now() - conv.run.record.startedAt)} ago)` : ""
      const cost = info?.cost ?? session?.totals.cost ?? 0
      const tokens = info?.tokens ? info.tokens.input + info.tokens.output + info.tokens.reasoning : (session?.totals.input ?? 0) + (session?.totals.output ?? 0)
      return [
        `**Session** \`${conv.sessionID}\`${info?.title ? ` — ${info.title}` : ""}`,
        `${paths ? `**Directory** \`${conv.binding.directory}\` · ` : ""}**Model** \`${model}\``,
        `**State** ${state}${running} · **Waiting for approval** ${waiting} · **Queued** ${queued}`,
        `**Cost so far** ${formatCost(cost)} · ${formatTokens(tokens)} tokens`,
      ].join("\n")
    },
  }
}
