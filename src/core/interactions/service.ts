// Permission and question requests from open to closed. The router asks (`ask`); a request an
// "Always" grant covers is answered at once (always.ts); otherwise we persist it with its
// deadline before posting, post it through the outbox ahead of stream edits, and wait for an
// allowed click, reaction or reply. "Answered exactly once" is structural: the database row
// leaves `open` in one conditional UPDATE, and only the caller that won it resolves the waiting
// promise. Late or double clicks get "already answered". This file must not know platforms.
import type { Logger } from "../../log/logger.ts"
import type { ActionEvent, ChatEvent, ChatReply, MessageEvent, ReactionEvent, Responder } from "../../chat/types.ts"
import type { Slot } from "../../delivery/outbox.ts"
import { findOwnPost } from "../../delivery/find-post.ts"
import type { InteractionRecord, InteractionRepo } from "../../storage/interactions.ts"
import type { AuditRepo } from "../../storage/audit.ts"
import type { GrantRepo } from "../../storage/grants.ts"
import { contextOf, type AccessPolicy } from "../access/policy.ts"
import type { PermissionDecision, QuestionDecision, RequestContext, RequestResult } from "../router/types.ts"
import type { ThreadHost } from "../conversations/host.ts"
import { addGrant, appliesTo, grantFor, recordAuto, type AlwaysDeps } from "./always.ts"
import {
  parseActionId,
  permissionChoice,
  permissionFromText,
  questionDecision,
  questionFromText,
  reactionChoice,
  type PermissionAnswer,
  type ReactionChoices,
} from "./choices.ts"
import { closedMessage, openMessage, type Closure, type Request } from "./message.ts"
import { requestOf } from "./stored.ts"

type Decision = PermissionDecision | QuestionDecision
type Answer = { kind: "permission"; answer: PermissionAnswer } | { kind: "question"; decision: QuestionDecision }

export interface InteractionDeps {
  repos: { interactions: InteractionRepo; audit: AuditRepo; grants: GrantRepo }
  access: AccessPolicy
  timeoutMs: number
  reactions: ReactionChoices
  /** The chat command prefix (hints in request messages). */
  prefix: string
  log: Logger
  /** The thread host of another bound thread (to apply a project grant there). */
  hostOf?(thread: string): ThreadHost | undefined
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
  notAdmin: "Only an administrator can allow this for the whole project. “Always here” keeps it to this thread.",
  alreadyAnswered: (by: string | undefined) => `This was already answered${by ? ` by ${by}` : ""}.`,
  expired: "This request expired and was rejected automatically.",
  closed: "This request is no longer pending.",
  invalidChoice: "That choice does not fit this request; nothing was done.",
} as const

export function displayName(user: { id: string; name?: string; displayName?: string }): string {
  return user.name ? `@${user.name}` : user.displayName ?? user.id
}

export class Interactions {
  private readonly deps: InteractionDeps
  private readonly waiting = new Map<string, Waiter>()
  private readonly slots = new Map<string, Slot>()
  private readonly now: () => number
  private readonly always: AlwaysDeps

  constructor(deps: InteractionDeps) {
    this.deps = deps
    this.now = deps.now ?? (() => Date.now())
    this.always = { grants: deps.repos.grants, audit: deps.repos.audit, now: this.now }
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
    const known = interactions.get(r.request.id)
    if (r.kind === "permission" && !known) {
      const grant = grantFor(this.always, host, r.request)
      if (grant) {
        recordAuto(this.always, host, r.request, grant)
        return Promise.resolve({ reply: "once" })
      }
    }
    const rec = known ?? interactions.create({
      requestID: r.request.id,
      kind: r.kind,
      sessionID: r.request.sessionID,
      thread: host.thread,
      request: r.request,
      options: r.kind === "question" ? r.request.questions.map((q) => q.options.map((o) => o.label)) : ["once", "always", "project", "reject"],
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
        return // already shown by decide(), or answered by a grant
      case "timeout":
        if (interactions.close(id, "expired", result.decision, undefined, at)) closure = { how: "expired", afterMs: this.deps.timeoutMs }
        audit.record({ at, platform: host.surface.platform, thread: host.thread, action: `${r.kind}.timeout`, allowed: true, detail: `${id} ${requestText(r)}` })
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
    if (rec.messageRef !== undefined && event.message && event.message !== rec.messageRef) return { ephemeral: REFUSALS.wrongThread }
    const r = requestOf(rec)
    const answer = this.answerOf(r, parsed.choice, event.value, event.values)
    if (!answer) return { ephemeral: REFUSALS.invalidChoice }
    return this.decide(host, rec, r, answer, event, "click")
  }

  /** A reaction on a request message. */
  async onReaction(host: ThreadHost, event: ReactionEvent): Promise<ChatReply | undefined> {
    if (!event.added) return undefined
    const rec = this.deps.repos.interactions.byMessage(event.message)
    if (!rec) return undefined
    const choice = reactionChoice(event.emoji, this.deps.reactions)
    if (!choice) return undefined // an ordinary reaction, not an answer
    const r = requestOf(rec)
    const answer = this.answerOf(r, choice)
    if (!answer) return { ephemeral: REFUSALS.invalidChoice }
    return this.decide(host, rec, r, answer, event, "reaction")
  }

  /** A reply in a thread where a request waits; true if it was taken as the answer. */
  async onText(host: ThreadHost, event: MessageEvent): Promise<{ consumed: boolean; reply?: ChatReply }> {
    const open = this.openIn(host.thread)
    const rec = open.at(-1)
    if (!rec || event.text.trim().length === 0) return { consumed: false }
    if (!this.deps.access.check("approve", contextOf(event, host.ownerID)).allowed) return { consumed: false } // their words are a normal follow-up
    const r = requestOf(rec)
    const answer: Answer | undefined =
      r.kind === "permission" ? { kind: "permission", answer: permissionFromText(event.text) } : wrapQuestion(questionFromText(r.request.questions, event.text))
    if (!answer) {
      return { consumed: true, reply: { ephemeral: "That does not answer the question: reply with the number of an option." } }
    }
    return { consumed: true, reply: await this.decide(host, rec, r, answer, event, "reply") }
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

  private answerOf(r: Request, choice: string, value?: string, values?: string[]): Answer | undefined {
    if (r.kind === "permission") {
      const answer = permissionChoice(choice)
      return answer ? { kind: "permission", answer } : undefined
    }
    return wrapQuestion(questionDecision(r.request.questions, choice, value, values))
  }

  private async decide(host: ThreadHost, rec: InteractionRecord, r: Request, answer: Answer, event: ChatEvent, via: string): Promise<ChatReply> {
    const { interactions, audit } = this.deps.repos
    const { user } = event
    const at = this.now()
    const who = displayName(user)
    const ctx = contextOf(event, host.ownerID)
    const project = answer.kind === "permission" && answer.answer.choice === "project"
    const verdict = this.deps.access.check(project ? "admin" : "approve", ctx)
    const action = `${r.kind}.${via}`
    const base = { at, platform: host.surface.platform, thread: host.thread, userID: user.id, ...(user.name ? { userName: user.name } : {}), action }
    if (!verdict.allowed) {
      audit.record({ ...base, allowed: false, detail: `${rec.requestID} ${verdict.reason} ${requestText(r)}` })
      if (project && this.deps.access.check("approve", ctx).allowed) return { ephemeral: REFUSALS.notAdmin }
      return { ephemeral: REFUSALS.notAllowed(this.deps.access.approverWords(ctx, host.ownerName ? `@${host.ownerName}` : undefined)) }
    }
    if (rec.state !== "open" || at > rec.deadline) {
      const current = interactions.get(rec.requestID)
      if (current?.state === "expired" || (current?.state === "open" && at > rec.deadline)) return { ephemeral: REFUSALS.expired }
      if (current?.state === "answered") return { ephemeral: REFUSALS.alreadyAnswered(current.answeredBy) }
      return { ephemeral: REFUSALS.closed }
    }
    const always = answer.kind === "permission" ? scopeOf(answer.answer) : undefined
    const decision: Decision = answer.kind === "question" ? answer.decision : toRuntime(answer.answer)
    // The conditional update is the one place a request can be won.
    if (!interactions.close(rec.requestID, "answered", { ...decision, ...(always ? { always } : {}) }, who, at)) {
      const current = interactions.get(rec.requestID)
      return { ephemeral: current?.state === "expired" ? REFUSALS.expired : REFUSALS.alreadyAnswered(current?.answeredBy) }
    }
    audit.record({ ...base, allowed: true, detail: `${rec.requestID} ${JSON.stringify(decision)}${always ? ` always:${always}` : ""} ${requestText(r)}` })
    const respond = event.kind === "action" ? event.respond : undefined
    this.settle(host, rec, r, decision, { how: "answered", decision, by: who, ...(always ? { always } : {}) }, respond)
    if (always && r.kind === "permission") {
      const grant = addGrant(this.always, host, r.request, always, user, who)
      this.answerCovered(host, grant, `${who}'s “Always”`)
    }
    return {}
  }

  /** Shows the outcome and hands the decision to the waiting router call. */
  private settle(host: ThreadHost, rec: InteractionRecord, r: Request, decision: Decision, closure: Closure, respond?: Responder): void {
    void this.show(host, r, closure, rec, respond).catch((err: unknown) => this.deps.log.error({ err, requestID: rec.requestID }, "could not update a request message"))
    const waiter = this.waiting.get(rec.requestID)
    this.waiting.delete(rec.requestID)
    // Without a waiter (restart before the router re-asked) `ask` finds the stored decision.
    waiter?.resolve(decision)
  }

  /** A new grant also answers the waiting requests it covers (in its thread, or its project). */
  private answerCovered(host: ThreadHost, grant: Parameters<typeof appliesTo>[0], by: string): void {
    const { interactions } = this.deps.repos
    for (const rec of interactions.open()) {
      if (rec.kind !== "permission") continue
      const other = rec.thread === host.thread ? host : this.deps.hostOf?.(rec.thread)
      const r = requestOf(rec)
      if (!other || r.kind !== "permission" || !appliesTo(grant, other.thread, other.directory, r.request)) continue
      const decision: PermissionDecision = { reply: "once" }
      if (!interactions.close(rec.requestID, "answered", { ...decision, grant: grant.id }, by, this.now())) continue
      recordAuto(this.always, other, r.request, grant)
      this.settle(other, rec, r, decision, { how: "answered", decision, by, always: grant.scope })
    }
  }

  /** Shows the request open (no closure) or closed, in the message it already has if any. */
  private async show(host: ThreadHost, r: Request, closure: Closure | undefined, rec?: InteractionRecord, respond?: Responder): Promise<void> {
    let record = rec ?? this.deps.repos.interactions.get(r.request.id)
    if (!record) return
    if (!record.messageRef && record.postingAt !== undefined) record = await this.adoptPosted(host, record)
    const slot = this.slotFor(host, record)
    const capabilities = host.surface.adapter.capabilities
    if (!closure) {
      const first = !record.messageRef
      if (first) host.sealTurn() // the answer continues below the request
      const ctx = { user: { id: "", isBot: false }, platform: host.surface.platform, channel: host.channel, space: host.space } as const
      slot.set(openMessage(r, {
        capabilities,
        timeoutMs: this.deps.timeoutMs,
        who: this.deps.access.approverWords(ctx, host.ownerName ? `@${host.ownerName}` : undefined),
        reactions: capabilities.reactions,
        projectAlways: this.deps.access.hasAdmins,
        deadline: record.deadline,
        prefix: this.deps.prefix,
      }))
      if (first) void this.offerReactions(host, r, slot).catch((err: unknown) => this.deps.log.warn({ err, requestID: r.request.id }, "could not offer the answer reactions"))
      return
    }
    const closed = closedMessage(r, closure, { capabilities })
    this.slots.delete(record.requestID)
    if (respond?.update && record.messageRef) {
      // The clicked message is replaced through the platform's response channel (no edit budget);
      // the slot learns what it shows, so it sends nothing unless something else changes it.
      try {
        await respond.update(closed)
        slot.replaced(closed)
        return
      } catch (err) {
        this.deps.log.warn({ err, requestID: record.requestID }, "could not update the clicked message through the response channel; editing it instead")
      }
    }
    slot.set(closed)
    // The slot finishes its last edit on its own; a later change re-creates it from the stored ref.
  }

  /**
   * Where reactions are how people answer (the platform has them but no buttons), the bot adds
   * the answers to its own request message once it is posted, so a person clicks one instead of
   * typing an emoji name. Stops at the first that fails (each is logged by the outbox).
   */
  private async offerReactions(host: ThreadHost, r: Request, slot: Slot): Promise<void> {
    const { adapter, outbox } = host.surface
    if (!adapter.capabilities.reactions || adapter.capabilities.buttons || !adapter.react) return
    const emoji = answerReactions(r, this.deps.reactions)
    if (emoji.length === 0) return
    await slot.settled()
    for (const e of emoji) {
      // Posted, and still waiting for an answer (a quick reply needs no reactions).
      if (!slot.ref || this.deps.repos.interactions.get(r.request.id)?.state !== "open") return
      if (!(await outbox.react(slot.ref, e, host.thread))) return
    }
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

/**
 * The reactions that answer a request, the first name of each choice: once, always, reject for
 * a permission; 1…9 for the options of a single one-choice question (none past nine options).
 */
export function answerReactions(r: Request, map: ReactionChoices): string[] {
  if (r.kind === "permission") return [map.once[0], map.always[0], map.reject[0]].filter((e): e is string => e !== undefined)
  const q = r.request.questions.length === 1 ? r.request.questions[0] : undefined
  if (!q || q.multiple || q.options.length === 0 || q.options.length > Math.min(9, map.numbers.length)) return []
  return q.options.map((_, i) => map.numbers[i]!)
}

function wrapQuestion(decision: QuestionDecision | undefined): Answer | undefined {
  return decision ? { kind: "question", decision } : undefined
}

function scopeOf(a: PermissionAnswer): "thread" | "project" | undefined {
  return a.choice === "always" ? "thread" : a.choice === "project" ? "project" : undefined
}

/** What the runtime is told: never its own "always" (that would be instance-wide). */
function toRuntime(a: PermissionAnswer): PermissionDecision {
  if (a.choice === "reject") return a.message ? { reply: "reject", message: a.message } : { reply: "reject" }
  return { reply: "once" }
}

/** The full command or subject of a request, for the audit log (never truncated). */
function requestText(r: Request): string {
  if (r.kind === "question") return JSON.stringify(r.request.questions.map((q) => q.question))
  const meta = r.request.metadata as { command?: unknown; filepath?: unknown } | undefined
  const subject = typeof meta?.command === "string" ? meta.command : typeof meta?.filepath === "string" ? meta.filepath : r.request.patterns.join(" ")
  return `${r.request.permission}: ${subject}`
}

function replyWord(reply: string): string {
  return reply === "once" ? "allowed once" : reply === "always" ? "always allowed" : "rejected"
}

function stored(rec: InteractionRecord): Decision {
  const outcome = rec.outcome as Decision & { always?: unknown; grant?: unknown }
  const { always: _always, grant: _grant, ...decision } = outcome
  return decision as Decision
}
