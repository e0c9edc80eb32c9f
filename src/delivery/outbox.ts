// The outbox owns every posted message as a slot. Latest wins: a slot has at most one call in
// flight or queued; the call reads the newest content when it runs (not when it was queued)
// and skips unchanged content. Rate limits pause the bucket and the newest text goes after;
// transient errors retry with jittered backoff; a message that is gone or too old to edit
// continues in a new message.
import { createHash } from "node:crypto"
import type { Logger } from "../log/logger.ts"
import { RateLimitError, isChatError, isGone } from "../chat/errors.ts"
import type { ChatAdapter, ChatOp, MessageRef, OutFile, OutMessage, ThreadRef } from "../chat/types.ts"
import { backoffDelay } from "../timing/backoff.ts"
import { Limiters, type Priority } from "./limiter.ts"

export interface OutboxOptions {
  adapter: ChatAdapter
  log: Logger
  limiters?: Limiters
  /** Transient-error retry: base and cap of the jittered backoff, and attempts before giving up. */
  retry?: { baseMs?: number; maxMs?: number; attempts?: number }
  /** A thread was deleted on the platform (a post to it was refused as not found). */
  onThreadGone?(thread: ThreadRef): void
  /** Told of every call's outcome (metrics). */
  observer?: OutboxObserver
}

/** What the outbox reports as it works (the relay's metrics listen). */
export interface OutboxObserver {
  /** A post, edit or stream append landed; `stalenessMs`: how long its content waited to become visible. */
  sent(op: "post" | "edit" | "stream", stalenessMs: number): void
  rateLimited(): void
  retried(): void
}

export interface OutboxStats {
  posts: number
  edits: number
  /** Native streams opened, and appends to them. */
  streams: number
  appends: number
  rateLimited: number
  transientErrors: number
  continuations: number
  failures: number
}

/** A short stable key of what a message shows (text plus actions); persisted across restarts. */
export function contentKey(m: OutMessage): string {
  const canonical = m.actions || m.select ? `${m.text}\u0000${JSON.stringify([m.actions ?? null, m.select ?? null])}` : m.text
  return createHash("sha1").update(canonical).digest("base64url")
}

export interface SlotOptions {
  thread: ThreadRef
  priority?: Priority
  /** Resume a message posted before (restart): its ref and the key of what it shows. */
  ref?: MessageRef
  sentKey?: string
  /** Resume a message whose content is known exactly (a native stream that ended). */
  shows?: OutMessage
  label?: string
  /** Per-slot notifications (persistence), besides the outbox-wide hooks. */
  /** Right before a post: if we crash now, the platform may or may not have the message. */
  onPosting?(content: OutMessage): void
  onPosted?(ref: MessageRef): void
  onSent?(key: string, content: OutMessage): void
}

type Source = () => OutMessage | undefined

export class Slot {
  readonly thread: ThreadRef
  readonly label: string
  priority: Priority
  ref: MessageRef | undefined
  private sentKey: string | undefined
  /** What the platform shows, when known in this process (compared without hashing). */
  private sent: OutMessage | undefined
  private source: Source = () => undefined
  private queued = false
  private inflight = false
  private attempts = 0
  private closed = false
  private failed = false
  private waiters: Array<() => void> = []
  /** When content first changed since the last send began (staleness accounting). */
  private dirtySince: number | undefined
  private readonly outbox: Outbox
  private readonly opts: SlotOptions

  constructor(outbox: Outbox, opts: SlotOptions) {
    this.outbox = outbox
    this.opts = opts
    this.thread = opts.thread
    this.priority = opts.priority ?? "stream"
    this.ref = opts.ref
    this.sentKey = opts.shows ? contentKey(opts.shows) : opts.sentKey
    this.sent = opts.shows
    this.label = opts.label ?? "message"
  }

  /** The key of what the platform shows now, if anything. */
  get shown(): string | undefined {
    return this.sentKey
  }

  /** The last attempt failed permanently (the next change tries again). */
  get hasFailed(): boolean {
    return this.failed
  }

  /** Sets the newest content (a value, or a function read when the call runs). */
  set(content: OutMessage | Source): void {
    this.source = typeof content === "function" ? content : () => content
    this.touch()
  }

  /** True when the source's newest content differs from what the platform shows. */
  get changed(): boolean {
    if (this.closed) return false
    const want = this.source()
    return want !== undefined && !this.shows(want)
  }

  /** Whether the platform already shows `content`: by value when known, else by its stored key. */
  shows(content: OutMessage): boolean {
    const sent = this.sent
    if (sent) return content.text === sent.text && sameActions(content, sent)
    return contentKey(content) === this.sentKey
  }

  /**
   * The platform shows `content` in this slot's message, changed by another channel than this
   * slot (a native stream that ended, a click answered through the platform's response
   * channel): later sends compare with it, and a change still wanted goes out as an edit.
   */
  adopt(content: OutMessage, ref?: MessageRef): void {
    if (ref !== undefined) this.ref = ref
    this.sent = content
    this.sentKey = contentKey(content)
    this.opts.onSent?.(this.sentKey, content)
    if (this.changed) this.touch()
    else this.wake()
  }

  /**
   * The platform now shows `content` through another channel, and `content` is what this slot
   * wants from now on: nothing is sent (a click's answer replaced the message in place).
   */
  replaced(content: OutMessage): void {
    this.source = () => content
    this.adopt(content)
  }

  /** Says the source has newer content. */
  touch(): void {
    if (this.closed) return
    this.dirtySince ??= Date.now()
    this.failed = false
    if (!this.queued && !this.inflight) this.enqueue()
  }

  /** Resolves when the platform shows the newest content (or the slot gave up on it). */
  settled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Stops sending; pending calls are skipped. */
  close(): void {
    this.closed = true
    this.wake()
  }

  private isSettled(): boolean {
    if (!this.closed && this.outbox.isGone(this.thread)) this.closed = true
    if (this.closed || this.failed) return true
    if (this.queued || this.inflight) return false
    const want = this.source()
    return !want || this.shows(want)
  }

  private wake() {
    if (!this.isSettled()) return
    const list = this.waiters
    this.waiters = []
    for (const w of list) w()
  }

  private enqueue(delayMs = 0): void {
    this.queued = true
    const go = () => {
      if (this.closed) {
        this.queued = false
        this.wake()
        return
      }
      const op = this.ref ? "edit" : "post"
      this.outbox.limiters
        // Posts keep the thread's order; an edit only follows its own message's post, so it
        // waits on its message alone and never holds another message's post back.
        .schedule(op, this.outbox.adapter.scopeOf(this.ref ?? this.thread), this.ref ? this.priority : higher(this.priority, "first"), () => this.run(), this.ref ?? this.thread)
        .catch((err: unknown) => {
          // The limiter was stopped (shutdown): nothing more will be sent from here.
          this.queued = false
          this.outbox.log.debug({ err, slot: this.label }, "outbox call dropped")
          this.wake()
        })
    }
    if (delayMs > 0) setTimeout(go, delayMs)
    else go()
  }

  private async run(): Promise<void> {
    this.queued = false
    if (this.outbox.isGone(this.thread)) this.closed = true
    if (this.closed) return this.wake()
    const content = this.source()
    if (!content || this.shows(content)) return this.wake()
    this.inflight = true
    const { adapter, stats, observer } = this.outbox
    // Changes arriving while this call is in flight wait for the next one.
    const waitingSince = this.dirtySince ?? Date.now()
    this.dirtySince = undefined
    let retryIn = -1
    try {
      if (this.ref === undefined) {
        this.opts.onPosting?.(content)
        const ref = await adapter.post(this.thread, content)
        this.ref = ref
        stats.posts++
        observer?.sent("post", Date.now() - waitingSince)
        this.opts.onPosted?.(ref)
      } else {
        await adapter.edit(this.ref, content)
        stats.edits++
        observer?.sent("edit", Date.now() - waitingSince)
      }
      this.sentKey = contentKey(content)
      this.sent = content
      this.attempts = 0
      this.opts.onSent?.(this.sentKey, content)
    } catch (err) {
      this.dirtySince ??= waitingSince // still not shown
      retryIn = this.onError(err)
    } finally {
      this.inflight = false
    }
    if (this.outbox.isGone(this.thread)) this.closed = true
    if (this.closed || this.failed) return this.wake()
    if (retryIn >= 0) this.enqueue(retryIn)
    else if (!this.isSettled()) this.enqueue()
    else this.wake()
  }

  /** Decides what a failure means; returns the delay before the next attempt, or -1. */
  private onError(err: unknown): number {
    const { stats, log, limiters, adapter } = this.outbox
    if (err instanceof RateLimitError) {
      stats.rateLimited++
      this.outbox.observer?.rateLimited()
      limiters.pause(adapter.scopeOf(this.ref ?? this.thread), err.scope, err.retryAfterMs)
      return 0 // the paused bucket holds the retry back
    }
    if (isGone(err) && this.ref !== undefined) {
      stats.continuations++
      log.info({ slot: this.label, ref: this.ref, code: (err as { code?: string }).code }, "message can no longer be edited; continuing in a new one")
      this.ref = undefined
      this.sentKey = undefined
      this.sent = undefined
      return 0
    }
    if (isChatError(err, "not_found") && this.ref === undefined) {
      // A post refused as "not found": the thread itself is gone. Nothing more goes there.
      this.outbox.threadGone(this.thread, err)
      return -1
    }
    if (!isChatError(err)) {
      // Not a platform answer but our own bug (a TypeError…): retrying cannot help.
      stats.failures++
      this.failed = true
      log.error({ err, slot: this.label, ref: this.ref }, "delivering a message hit a programming error; not retrying it")
      return -1
    }
    if (isChatError(err, "transient")) {
      stats.transientErrors++
      this.outbox.observer?.retried()
      const { baseMs = 500, maxMs = 30_000, attempts = 12 } = this.outbox.retry
      if (++this.attempts <= attempts) return backoffDelay(this.attempts - 1, { initialMs: baseMs, maxMs })
    }
    stats.failures++
    this.failed = true
    log.error({ err, slot: this.label, ref: this.ref }, "could not deliver a message; giving up on this version of it")
    return -1
  }
}

function sameActions(a: OutMessage, b: OutMessage): boolean {
  if (!a.actions && !a.select && !b.actions && !b.select) return true
  return JSON.stringify([a.actions ?? null, a.select ?? null]) === JSON.stringify([b.actions ?? null, b.select ?? null])
}

function higher(a: Priority, b: Priority): Priority {
  const rank: Record<Priority, number> = { interaction: 1, first: 3, final: 4, stream: 5, typing: 8 }
  return rank[a] <= rank[b] ? a : b
}

export class Outbox {
  readonly adapter: ChatAdapter
  readonly limiters: Limiters
  readonly log: Logger
  readonly retry: NonNullable<OutboxOptions["retry"]>
  readonly stats: OutboxStats = { posts: 0, edits: 0, streams: 0, appends: 0, rateLimited: 0, transientErrors: 0, continuations: 0, failures: 0 }

  constructor(opts: OutboxOptions) {
    this.adapter = opts.adapter
    this.log = opts.log
    this.retry = opts.retry ?? {}
    this.limiters = opts.limiters ?? new Limiters(opts.adapter.capabilities.rateRules)
    this.onThreadGone = opts.onThreadGone
    this.observer = opts.observer
  }

  readonly observer: OutboxObserver | undefined

  private readonly gone = new Set<ThreadRef>()
  private readonly onThreadGone: ((thread: ThreadRef) => void) | undefined

  private readonly noStreaming = new Set<string>()

  /** Whether native streams may be tried in this thread's workspace (none refused there yet). */
  canStream(thread: ThreadRef): boolean {
    return this.adapter.stream !== undefined && !this.noStreaming.has(this.adapter.scopeOf(thread).workspace)
  }

  /** The workspace refused a native stream: its answers stream by edits from now on. */
  refuseStreaming(thread: ThreadRef, err: unknown): void {
    const { workspace } = this.adapter.scopeOf(thread)
    if (this.noStreaming.has(workspace)) return
    this.noStreaming.add(workspace)
    this.log.info({ workspace, err }, "the platform refused a native stream; answers in this workspace stream by edits")
  }

  /** Whether a post to this thread was refused because the thread no longer exists. */
  isGone(thread: ThreadRef): boolean {
    return this.gone.has(thread)
  }

  /** The thread was deleted: every slot of it stops (each on its next call), and the owner is told once. */
  threadGone(thread: ThreadRef, err: unknown): void {
    if (this.gone.has(thread)) return
    this.gone.add(thread)
    this.log.info({ thread, err }, "the thread was deleted on the platform; its delivery stops")
    this.onThreadGone?.(thread)
  }

  slot(opts: SlotOptions): Slot {
    return new Slot(this, opts)
  }

  /** A typing indicator, at the lowest priority; failures are not worth a retry. */
  typing(thread: ThreadRef): void {
    const fn = this.adapter.typing
    // One indicator per thread waits at a time: a busy budget never piles them up.
    if (!fn || this.gone.has(thread) || this.typingWaits.has(thread)) return
    this.typingWaits.add(thread)
    this.limiters
      // Its own order key: a waiting indicator must not hold the thread's posts back.
      .schedule("typing", this.adapter.scopeOf(thread), "typing", () => {
        this.typingWaits.delete(thread)
        return fn.call(this.adapter, thread)
      }, `${thread}#typing`)
      .catch((err: unknown) => this.log.debug({ err }, "typing indicator failed"))
      .finally(() => this.typingWaits.delete(thread))
  }

  private readonly typingWaits = new Set<ThreadRef>()

  /**
   * A note only `userId` sees, where the platform can; otherwise it is posted in the thread.
   * Goes through the limiter like everything else; failures are logged, not retried.
   */
  ephemeral(thread: ThreadRef, userId: string, text: string): void {
    if (this.gone.has(thread)) return
    const fn = this.adapter.ephemeral
    if (!fn) {
      this.slot({ thread, priority: "first", label: "notice" }).set({ text })
      return
    }
    this.limiters
      .schedule("post", this.adapter.scopeOf(thread), "first", () => fn.call(this.adapter, thread, userId, text), thread)
      .catch((err: unknown) => this.log.warn({ err }, "could not show a private note"))
  }

  /**
   * Adds the bot's reaction `emoji` to a message (the answers a request offers where reactions
   * are how people click). Through the limiters at interaction priority, in the thread's order.
   * A 429 pauses its bucket and a transient error backs off, each tried again up to
   * REACT_ATTEMPTS times in all; any other failure is logged. Resolves whether the reaction
   * was added; never rejects.
   */
  async react(ref: MessageRef, emoji: string, thread?: ThreadRef): Promise<boolean> {
    const fn = this.adapter.react
    if (!fn || (thread !== undefined && this.gone.has(thread))) return false
    const scope = this.adapter.scopeOf(ref)
    const result = await this.call("react", scope, thread ?? scope.channel, () => fn.call(this.adapter, ref, emoji), { attempts: REACT_ATTEMPTS, transient: true })
    if (result.ok) return true
    if (!result.stopping) this.log.warn({ err: result.err, ref, emoji }, "could not add a reaction to a message; people can still add it themselves")
    return false
  }

  /**
   * Uploads a file into a thread (in the thread's order, behind its posts). Only a 429 is tried
   * again: after a timeout the platform may already have the file, and a second copy is worse
   * than a clear failure. Resolves with the file's message, or undefined (logged) without one.
   */
  async upload(thread: ThreadRef, file: OutFile, comment?: string): Promise<MessageRef | undefined> {
    const fn = this.adapter.upload
    if (!fn || this.gone.has(thread)) return undefined
    const result = await this.call("upload", this.adapter.scopeOf(thread), thread, () => fn.call(this.adapter, thread, file, comment), { attempts: UPLOAD_ATTEMPTS, transient: false })
    if (result.ok) return result.value
    if (!result.stopping) this.log.warn({ err: result.err, thread, file: file.name, bytes: file.data.length }, "could not upload a file")
    return undefined
  }

  /**
   * One call outside any slot, through the limiters at interaction priority: a 429 pauses its
   * bucket and is tried again, a transient error backs off and is tried again where allowed,
   * up to `attempts` tries in all. Never rejects.
   */
  private async call<T>(
    op: ChatOp,
    scope: { channel: string; workspace: string },
    order: string,
    fn: () => Promise<T>,
    opts: { attempts: number; transient: boolean },
  ): Promise<{ ok: true; value: T } | { ok: false; err: unknown; stopping: boolean }> {
    const { baseMs = 500, maxMs = 30_000 } = this.retry
    for (let attempt = 1; ; attempt++) {
      let outcome: { ok: true; value: T } | { ok: false; err: unknown } | undefined
      try {
        await this.limiters.schedule(op, scope, "interaction", async () => {
          try {
            outcome = { ok: true, value: await fn() }
          } catch (err) {
            outcome = { ok: false, err }
          }
        }, order)
      } catch (err) {
        this.log.debug({ err, op }, "call dropped: the outbox is stopping")
        return { ok: false, err, stopping: true }
      }
      if (outcome!.ok) return outcome!
      const { err } = outcome!
      const again = attempt < opts.attempts
      if (err instanceof RateLimitError) {
        this.stats.rateLimited++
        this.observer?.rateLimited()
        this.limiters.pause(scope, err.scope, err.retryAfterMs)
        if (again) continue // the paused bucket holds the next attempt back
      } else if (opts.transient && isChatError(err, "transient") && again) {
        this.stats.transientErrors++
        this.observer?.retried()
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt - 1, { initialMs: baseMs, maxMs })))
        continue
      }
      return { ok: false, err, stopping: false }
    }
  }

  stop(): Promise<void> {
    return this.limiters.stop()
  }
}

/** Tries of one reaction before it is given up (reactions are a convenience, not content). */
export const REACT_ATTEMPTS = 3

/** Tries of one upload, for rate limits only (see Outbox.upload). */
export const UPLOAD_ATTEMPTS = 4
