// Permission and question requests from open to closed. The router asks (`ask`); we persist
// the request with its deadline before posting, post it through the outbox ahead of stream
// edits, and wait for an allowed click, reaction or reply. "Answered exactly once" is
// structural: the database row leaves `open` in one conditional UPDATE, and only the caller
// that won it resolves the waiting promise. Late or double clicks get "already answered".
import type { Logger } from "../../log/logger.ts"
import type { ActionEvent, ChatReply, ChatUser, MessageEvent, ReactionEvent } from "../../chat/types.ts"
import type { Slot } from "../../delivery/outbox.ts"
import { findOwnPost } from "../../delivery/find-post.ts"
import type { InteractionRecord, InteractionRepo } from "../../storage/interactions.ts"
import type { AuditRepo } from "../../storage/audit.ts"
import { check, type AccessConfig } from "../access/rules.ts"
import type { PermissionDecision, QuestionDecision, RequestContext, RequestResult } from "../router/types.ts"
import type { ThreadHost } from "../conversations/host.ts"
import {
  parseActionId,
  permissionDecision,
  permissionFromText,
  questionDecision,
  questionFromText,
  reactionChoice,
  type ReactionChoices,
} from "./choices.ts"
import { closedMessage, openMessage, type Closure, type Request } from "./message.ts"

type Decision = PermissionDecision | QuestionDecision

export interface InteractionDeps {
  repos: { interactions: InteractionRepo; audit: AuditRepo }
  access: AccessConfig
  timeoutMs: number
  reactions: ReactionChoices
  log: Logger
  now?: () => number
}

interface Waiter {
  resolve(d: Decision): void
  reject(e: Error): void
}

/** User-facing answers to clicks that cannot be taken. */
export const REFUSALS = {
  unknownAction: "This button is not one of ours, or it is malformed; nothing was done.",
  unknownRequest: "This request is not known (it may belong to an old session); nothing was done.",
  wrongThread: "This button does not belong to this thread; nothing was done.",
  notAllowed: (who: string) => `Only ${who} can answer this request.`,
  alreadyAnswered: (by: string | undefined) => `This was already answered${by ? ` by ${by}` : ""}.`,
  expired: "This request expired and was rejected automatically.",
  closed: "This request is no longer pending.",
  invalidChoice: "That choice does not fit this request; nothing was done.",
} as const

export function displayName(user: ChatUser): string {
  return user.name ? `@${user.name}` : user.displayName ?? user.id
}

export class Interactions {
  private readonly deps: InteractionDeps
  private readonly waiting = new Map<string, Waiter>()
  private readonly slots = new Map<string, Slot>()
  private readonly now: () => number

  constructor(deps: InteractionDeps) {
    this.deps = deps
    this.now = deps.now ?? (() => Date.now())
  }

  /** The router's deadline for a request: the persisted one survives restarts. */
  deadlineOf(requestID: string): number | undefined {
    return this.deps.repos.interactions.get(requestID)?.deadline
  }

  /** Open interactions of a thread (for text replies). */
  openIn(thread: string): InteractionRecord[] {
    return this.deps.repos.interactions.open(thread)
  }

  /** Called by the router: show the request and wait for a decision. */
  ask(host: ThreadHost, r: Extract<Request, { kind: "permission" }>, ctx: RequestContext): Promise<PermissionDecision>
  ask(host: ThreadHost, r: Extract<Request, { kind: "question" }>, ctx: RequestContext): Promise<QuestionDecision>
  ask(host: ThreadHost, r: Request, ctx: RequestContext): Promise<Decision> {
    const { interactions } = this.deps.repos
    const rec = interactions.create({
      requestID: r.request.id,
      kind: r.kind,
      sessionID: r.request.sessionID,
      thread: host.thread,
      request: r.request,
      options: r.kind === "question" ? r.request.questions.map((q) => q.options.map((o) => o.label)) : ["once", "always", "reject"],
      deadline: ctx.deadline,
      createdAt: this.now(),
    })
    if (rec.state === "answered") return Promise.resolve(stored(rec)) // decided before a restart
    if (rec.state !== "open") return Promise.reject(new Error(`interaction ${rec.requestID} is ${rec.state}`))
    const answer = new Promise<Decision>((resolve, reject) => {
      this.waiting.set(rec.requestID, { resolve, reject })
      ctx.signal.addEventListener("abort", () => {
        this.waiting.delete(rec.requestID)
        reject(new Error("request closed"))
      })
    })
    void this.show(host, r, undefined, rec).catch((err: unknown) => this.deps.log.error({ err, requestID: rec.requestID }, "could not show a request"))
    return answer
  }

  /** Called by the router once the request is over, whatever closed it. */
  closed(host: ThreadHost, r: Request, result: RequestResult): void {
    const id = r.request.id
    this.waiting.delete(id)
    const { interactions, audit } = this.deps.repos
    const at = this.now()
    let closure: Closure | undefined
    switch (result.via) {
      case "subscriber":
        return // already shown by decide()
      case "timeout":
        if (interactions.close(id, "expired", result.decision, undefined, at)) closure = { how: "expired", afterMs: this.deps.timeoutMs }
        audit.record({ at, platform: host.surface.platform, thread: host.thread, action: `${r.kind}.timeout`, allowed: true, detail: id })
        break
      case "subscriber-error":
        if (interactions.close(id, "closed", { error: String(result.error) }, undefined, at)) {
          closure = { how: "failed", detail: "The request could not be shown in chat, so it was rejected for safety." }
        }
        break
      case "elsewhere": {
        const o = result.outcome
        const detail = o.kind === "replied" ? ("reply" in o ? replyWord(o.reply) : "answered") : o.kind === "rejected" ? "dismissed" : "gone"
        if (interactions.close(id, "closed", o, undefined, at)) closure = o.kind === "gone" ? { how: "gone" } : { how: "elsewhere", detail }
        break
      }
      case "reply-failed":
        closure = { how: "failed", detail: `The answer could not be delivered to OpenCode (${String((result.error as Error)?.message ?? result.error)}). Try again from another client.` }
        break
    }
    if (closure) void this.show(host, r, closure).catch((err: unknown) => this.deps.log.error({ err, requestID: id }, "could not update a request message"))
  }

  /** A click on one of our buttons or selects. */
  async onAction(host: ThreadHost | undefined, event: ActionEvent): Promise<ChatReply> {
    const parsed = parseActionId(event.actionId)
    if (!parsed) {
      this.deps.log.warn({ actionId: event.actionId.slice(0, 120), user: event.user.id }, "ignored a malformed action")
      return { ephemeral: REFUSALS.unknownAction }
    }
    const rec = this.deps.repos.interactions.get(parsed.requestID)
    if (!rec) return { ephemeral: REFUSALS.unknownRequest }
    if (!host || rec.thread !== host.thread) return { ephemeral: REFUSALS.wrongThread }
    const r = requestOf(rec)
    const decision =
      r.kind === "permission"
        ? permissionDecision(parsed.choice)
        : questionDecision(r.request.questions, parsed.choice, event.value)
    if (!decision) return { ephemeral: REFUSALS.invalidChoice }
    return this.decide(host, rec, r, decision, event.user, "click")
  }

  /** A reaction on a request message. */
  async onReaction(host: ThreadHost, event: ReactionEvent): Promise<ChatReply | undefined> {
    if (!event.added) return undefined
    const rec = this.deps.repos.interactions.byMessage(event.message)
    if (!rec) return undefined
    const choice = reactionChoice(event.emoji, this.deps.reactions)
    if (!choice) return undefined // an ordinary reaction, not an answer
    const r = requestOf(rec)
    const decision = r.kind === "permission" ? permissionDecision(choice) : questionDecision(r.request.questions, choice)
    if (!decision) return { ephemeral: REFUSALS.invalidChoice }
    return this.decide(host, rec, r, decision, event.user, "reaction")
  }

  /** A reply in a thread where a request waits; true if it was taken as the answer. */
  async onText(host: ThreadHost, event: MessageEvent): Promise<{ consumed: boolean; reply?: ChatReply }> {
    const open = this.openIn(host.thread)
    const rec = open.at(-1)
    if (!rec || event.text.trim().length === 0) return { consumed: false }
    const verdict = check(this.deps.access, "approve", { user: event.user, channel: host.channel, ownerID: host.ownerID })
    if (!verdict.allowed) return { consumed: false } // their words are a normal follow-up
    const r = requestOf(rec)
    const decision = r.kind === "permission" ? permissionFromText(event.text) : questionFromText(r.request.questions, event.text)
    if (!decision) {
      return { consumed: true, reply: { ephemeral: "That does not answer the question: reply with the number of an option." } }
    }
    return { consumed: true, reply: await this.decide(host, rec, r, decision, event.user, "reply") }
  }

  /** Closes open interactions the runtime no longer has (after the first resync on start). */
  reconcile(pendingOnRuntime: Set<string>, hostOf: (thread: string) => ThreadHost | undefined): number {
    let closed = 0
    for (const rec of this.deps.repos.interactions.open()) {
      if (pendingOnRuntime.has(rec.requestID)) continue
      if (!this.deps.repos.interactions.close(rec.requestID, "closed", { kind: "gone" }, undefined, this.now())) continue
      closed++
      const host = hostOf(rec.thread)
      const r = requestOf(rec)
      if (host) void this.show(host, r, { how: "gone" }, rec).catch((err: unknown) => this.deps.log.error({ err, requestID: rec.requestID }, "could not update a request message"))
    }
    return closed
  }

  private async decide(host: ThreadHost, rec: InteractionRecord, r: Request, decision: Decision, user: ChatUser, via: string): Promise<ChatReply> {
    const { interactions, audit } = this.deps.repos
    const at = this.now()
    const who = displayName(user)
    const verdict = check(this.deps.access, "approve", { user, channel: host.channel, ownerID: host.ownerID })
    const action = `${r.kind}.${via}`
    if (!verdict.allowed) {
      audit.record({ at, platform: host.surface.platform, thread: host.thread, userID: user.id, ...(user.name ? { userName: user.name } : {}), action, allowed: false, detail: `${rec.requestID} ${verdict.reason}` })
      return { ephemeral: REFUSALS.notAllowed(host.ownerName ? `@${host.ownerName} or an approver` : "an approver") }
    }
    if (rec.state !== "open" || at > rec.deadline) {
      const current = interactions.get(rec.requestID)
      if (current?.state === "expired" || (current?.state === "open" && at > rec.deadline)) return { ephemeral: REFUSALS.expired }
      if (current?.state === "answered") return { ephemeral: REFUSALS.alreadyAnswered(current.answeredBy) }
      return { ephemeral: REFUSALS.closed }
    }
    // The conditional update is the one place a request can be won.
    if (!interactions.close(rec.requestID, "answered", decision, who, at)) {
      const current = interactions.get(rec.requestID)
      return { ephemeral: current?.state === "expired" ? REFUSALS.expired : REFUSALS.alreadyAnswered(current?.answeredBy) }
    }
    audit.record({ at, platform: host.surface.platform, thread: host.thread, userID: user.id, ...(user.name ? { userName: user.name } : {}), action, allowed: true, detail: `${rec.requestID} ${JSON.stringify(decision)}` })
    void this.show(host, r, { how: "answered", decision, by: who }, rec).catch((err: unknown) => this.deps.log.error({ err, requestID: rec.requestID }, "could not update a request message"))
    const waiter = this.waiting.get(rec.requestID)
    this.waiting.delete(rec.requestID)
    // Without a waiter (restart before the router re-asked) `ask` finds the stored decision.
    waiter?.resolve(decision)
    return {}
  }

  /** Shows the request open (no closure) or closed, in the message it already has if any. */
  private async show(host: ThreadHost, r: Request, closure: Closure | undefined, rec?: InteractionRecord): Promise<void> {
    let record = rec ?? this.deps.repos.interactions.get(r.request.id)
    if (!record) return
    if (!record.messageRef && record.postingAt !== undefined) record = await this.adoptPosted(host, record)
    const slot = this.slotFor(host, record)
    if (!closure) {
      if (!record.messageRef) host.sealTurn() // the answer continues below the request
      slot.set(openMessage(r, {
        capabilities: host.surface.adapter.capabilities,
        timeoutMs: this.deps.timeoutMs,
        ...(host.ownerName ? { owner: `@${host.ownerName}` } : {}),
        reactions: host.surface.adapter.capabilities.reactions,
      }))
      return
    }
    slot.set(closedMessage(r, closure, { capabilities: host.surface.adapter.capabilities }))
    // The slot finishes its last edit on its own; a later change re-creates it from the stored ref.
    this.slots.delete(record.requestID)
  }

  /** After a crash between posting the request and recording its id: find the message. */
  private async adoptPosted(host: ThreadHost, rec: InteractionRecord): Promise<InteractionRecord> {
    if (!rec.postingText || rec.postingAt === undefined || this.slots.has(rec.requestID)) return rec
    const ref = await findOwnPost(host.surface.adapter, host.thread, rec.postingText, rec.postingAt, this.deps.log)
    if (!ref) return rec
    this.deps.repos.interactions.setMessage(rec.requestID, ref)
    return { ...rec, messageRef: ref }
  }

  private slotFor(host: ThreadHost, rec: InteractionRecord): Slot {
    let slot = this.slots.get(rec.requestID)
    if (slot) return slot
    slot = host.surface.outbox.slot({
      thread: host.thread,
      priority: "interaction",
      label: rec.requestID,
      ...(rec.messageRef ? { ref: rec.messageRef } : {}),
      onPosting: (content) => this.deps.repos.interactions.markPosting(rec.requestID, content.text, this.now()),
      onPosted: (ref) => this.deps.repos.interactions.setMessage(rec.requestID, ref),
    })
    this.slots.set(rec.requestID, slot)
    return slot
  }
}

/** The runtime request a stored interaction was opened for. */
function requestOf(rec: InteractionRecord): Request {
  return rec.kind === "permission"
    ? { kind: "permission", request: rec.request as Extract<Request, { kind: "permission" }>["request"] }
    : { kind: "question", request: rec.request as Extract<Request, { kind: "question" }>["request"] }
}

function replyWord(reply: string): string {
  return reply === "once" ? "allowed once" : reply === "always" ? "always allowed" : "rejected"
}

function stored(rec: InteractionRecord): Decision {
  return rec.outcome as Decision
}
