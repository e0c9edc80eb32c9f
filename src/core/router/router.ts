// Routes store changes to the subscribers of each session, and runs the permission/question
// round-trip: ask the subscribers, wait until one decides or the deadline passes, reply to the
// runtime once. "Exactly one reply" is structural: the pending entry is taken out of the map
// before the reply is sent, so nothing can reply to it again.
import type { Logger } from "../../log/logger.ts"
import { backoffDelay } from "../../timing/backoff.ts"
import { RuntimeError, isNotFound } from "../../runtime/errors.ts"
import type { Store } from "../store/store.ts"
import type { PermissionOutcome, QuestionOutcome } from "../store/types.ts"
import type {
  PermissionDecision,
  QuestionDecision,
  Request,
  RequestResult,
  RuntimeReplies,
  SessionSubscriber,
} from "./types.ts"

export interface RouterOptions {
  store: Store
  replies: RuntimeReplies
  log: Logger
  /** How long a request may wait for an answer. Default 5 minutes. */
  timeoutMs?: number
  /** A deadline remembered from before a restart, if any (epoch ms). */
  deadlineOf?(request: Request): number | undefined
  /** Reply attempts when the runtime is unreachable, and the first backoff delay. */
  replyRetry?: { attempts: number; initialMs: number }
}

interface Pending {
  entry: Request
  abort: AbortController
  timer: ReturnType<typeof setTimeout>
  asked: SessionSubscriber[]
}

export function timeoutMessage(ms: number): string {
  const minutes = ms / 60_000
  const span = minutes >= 1 && Number.isInteger(minutes) ? `${minutes} minute${minutes === 1 ? "" : "s"}` : `${Math.round(ms / 1000)} seconds`
  return `Nobody answered within ${span}; the request timed out and was rejected automatically.`
}

export class Router {
  private readonly opts: RouterOptions
  private readonly subscribers = new Map<string, SessionSubscriber[]>()
  private readonly pending = new Map<string, Pending>()
  private readonly unsubscribeStore: Array<() => void>
  private readonly timeoutMs: number

  constructor(opts: RouterOptions) {
    this.opts = opts
    this.timeoutMs = opts.timeoutMs ?? 5 * 60_000
    const ev = opts.store.events
    const each = (sessionID: string, fn: (s: SessionSubscriber) => void) => {
      const list = this.subscribers.get(sessionID)
      if (list) for (const s of list.length === 1 ? list : [...list]) this.safely(() => fn(s))
    }
    this.unsubscribeStore = [
      ev.on("session.changed", (s) => each(s.id, (sub) => sub.onChange?.(s))),
      ev.on("session.status", (s, prev) => each(s.id, (sub) => sub.onStatus?.(s, prev))),
      ev.on("message.completed", (s, m) => each(s.id, (sub) => sub.onMessageCompleted?.(s, m))),
      ev.on("session.error", (s, e) => each(s.id, (sub) => sub.onError?.(s, e))),
      ev.on("session.deleted", (id) => each(id, (sub) => sub.onDeleted?.(id))),
      ev.on("permission.asked", (request) => this.open({ kind: "permission", request })),
      ev.on("question.asked", (request) => this.open({ kind: "question", request })),
      ev.on("permission.resolved", (request, outcome) => this.closedElsewhere(request.id, outcome)),
      ev.on("question.resolved", (request, outcome) => this.closedElsewhere(request.id, outcome)),
      ev.on("server.connected", () => queueMicrotask(() => this.adoptPending())),
    ]
  }

  /** Registers a subscriber for one session; returns the unsubscribe function. */
  subscribe(sessionID: string, subscriber: SessionSubscriber): () => void {
    const list = this.subscribers.get(sessionID) ?? []
    list.push(subscriber)
    this.subscribers.set(sessionID, list)
    this.adoptPending(sessionID)
    return () => {
      const current = this.subscribers.get(sessionID)
      if (!current) return
      const i = current.indexOf(subscriber)
      if (i >= 0) current.splice(i, 1)
      if (current.length === 0) this.subscribers.delete(sessionID)
    }
  }

  /** Clears timers; pending requests stay pending on the runtime. */
  stop(): void {
    for (const off of this.unsubscribeStore) off()
    for (const p of this.pending.values()) {
      clearTimeout(p.timer)
      p.abort.abort(new Error("router stopped"))
    }
    this.pending.clear()
  }

  /** Opens round-trips for store requests nobody is handling yet (after subscribe or reconnect). */
  private adoptPending(sessionID?: string): void {
    const { store } = this.opts
    // One session (and its subagents) on subscribe; everything only after a reconnect.
    const { permissions, questions } = sessionID === undefined ? store.pending() : store.pendingUnder(sessionID)
    for (const request of permissions) this.open({ kind: "permission", request })
    for (const request of questions) this.open({ kind: "question", request })
  }

  /**
   * The session whose subscribers answer for `sessionID`: itself when followed, else its nearest
   * followed ancestor — a subagent's requests belong to the thread of the session that started it.
   */
  private followerOf(sessionID: string): string {
    let id: string | undefined = sessionID
    for (let depth = 0; id !== undefined && depth < 8; depth++) {
      if (this.subscribers.has(id)) return id
      id = this.opts.store.session(id)?.info?.parentID
    }
    return sessionID
  }

  private open(entry: Request): void {
    const { request } = entry
    if (this.pending.has(request.id)) return
    const handler = entry.kind === "permission" ? "onPermission" : "onQuestion"
    const asked = (this.subscribers.get(this.followerOf(request.sessionID)) ?? []).filter((s) => s[handler])
    // Nobody in chat follows this session: another client (TUI, web) may answer it.
    if (asked.length === 0) return
    const now = Date.now()
    const deadline = this.opts.deadlineOf?.(entry) ?? now + this.timeoutMs
    const abort = new AbortController()
    const timer = setTimeout(() => void this.settle(request.id, "timeout"), Math.max(0, deadline - now))
    const pending: Pending = { entry, abort, timer, asked }
    this.pending.set(request.id, pending)
    const ctx = { signal: abort.signal, deadline }
    for (const sub of asked) {
      let answer: Promise<PermissionDecision | QuestionDecision>
      try {
        answer =
          entry.kind === "permission"
            ? sub.onPermission!(entry.request, ctx)
            : sub.onQuestion!(entry.request, ctx)
      } catch (error) {
        answer = Promise.reject(error)
      }
      answer.then(
        (decision) => void this.settle(request.id, "subscriber", decision),
        (error) => void this.settle(request.id, "subscriber-error", undefined, error),
      )
    }
  }

  private refusal(entry: Request, why: "timeout" | "error"): PermissionDecision | QuestionDecision {
    if (entry.kind === "question") return { reject: true }
    // A timeout says so to the model; a failure to even ask a person stops the agent.
    return why === "timeout" ? { reply: "reject", message: timeoutMessage(this.timeoutMs) } : { reply: "reject" }
  }

  private async settle(
    requestID: string,
    via: "subscriber" | "timeout" | "subscriber-error",
    decision?: PermissionDecision | QuestionDecision,
    error?: unknown,
  ): Promise<void> {
    const pending = this.pending.get(requestID)
    if (!pending) return // already answered, timed out or closed elsewhere
    this.pending.delete(requestID)
    clearTimeout(pending.timer)
    const { entry } = pending
    if (via !== "subscriber") pending.abort.abort(new Error(via))
    const final = via === "subscriber" ? decision! : this.refusal(entry, via === "timeout" ? "timeout" : "error")
    if (via === "subscriber-error") this.opts.log.warn({ err: error, requestID }, "a subscriber failed to decide; rejecting the request")
    let result: RequestResult =
      via === "subscriber-error" ? { via, decision: final, error } : { via, decision: final }
    try {
      await this.reply(entry, final)
    } catch (err) {
      if (isNotFound(err)) result = { via: "elsewhere", outcome: { kind: "gone" } }
      else {
        this.opts.log.error({ err, requestID }, "could not deliver the answer to the runtime")
        result = { via: "reply-failed", decision: final, error: err }
      }
    }
    if (via === "subscriber") pending.abort.abort(new Error("answered"))
    for (const sub of pending.asked) this.safely(() => sub.onRequestClosed?.(entry, result))
  }

  private async reply(entry: Request, decision: PermissionDecision | QuestionDecision): Promise<void> {
    const { attempts, initialMs } = this.opts.replyRetry ?? { attempts: 3, initialMs: 500 }
    for (let attempt = 0; ; attempt++) {
      try {
        if (entry.kind === "permission") await this.opts.replies.permission(entry.request, decision as PermissionDecision)
        else await this.opts.replies.question(entry.request, decision as QuestionDecision)
        return
      } catch (err) {
        // A reply that timed out may have landed: sent again it answers 404, "answered elsewhere".
        const transient = err instanceof RuntimeError && (err.code === "unavailable" || err.code === "timeout")
        if (!transient || attempt >= attempts) throw err
        await new Promise((r) => setTimeout(r, backoffDelay(attempt, { initialMs, maxMs: 5_000 })))
      }
    }
  }

  private closedElsewhere(requestID: string, outcome: PermissionOutcome | QuestionOutcome): void {
    const pending = this.pending.get(requestID)
    if (!pending) return // we answered it ourselves (or never tracked it)
    this.pending.delete(requestID)
    clearTimeout(pending.timer)
    pending.abort.abort(new Error("answered elsewhere"))
    const result: RequestResult = { via: "elsewhere", outcome }
    for (const sub of pending.asked) this.safely(() => sub.onRequestClosed?.(pending.entry, result))
  }

  private safely(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.opts.log.error({ err }, "a session subscriber threw; continuing")
    }
  }
}
