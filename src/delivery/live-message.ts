// One message of a turn shown through the platform's native stream (ChatAdapter.stream): it
// opens with its first text, grows by appends of what is new, and ends once with what it must
// show from then on. Like a Slot, the newest text wins: at most one call is queued or in
// flight, and a call reads the target when it runs. Every call goes through the limiters
// (ops `stream-start`, `stream`, `stream-stop`). Whatever goes wrong leaves a message plain
// edits can take over, never a second copy: refused before anything showed → the caller posts
// instead (an `unsupported` refusal is remembered for the workspace); failed after text showed
// → the caller edits that message, knowing exactly what it shows.
import { RateLimitError, isChatError } from "../chat/errors.ts"
import type { MessageRef, NativeStream, OutMessage, StreamOpening, ThreadRef } from "../chat/types.ts"
import { backoffDelay } from "../timing/backoff.ts"
import type { Priority } from "./limiter.ts"
import { contentKey, type Outbox } from "./outbox.ts"

export type LiveOutcome =
  /** The message shows exactly `shows` and its stream is over (or it was posted plainly). */
  | { kind: "ended"; ref: MessageRef; shows: OutMessage }
  /** Nothing was shown: the stream could not be opened. */
  | { kind: "unopened" }
  /** A stream call failed after text showed: the message shows `shows`, edits take over. */
  | { kind: "broken"; ref: MessageRef; shows: OutMessage }
  /** Stopped from outside (shutdown, the thread is gone). */
  | { kind: "closed" }

export interface LiveOptions {
  outbox: Outbox
  thread: ThreadRef
  label: string
  recipient?: StreamOpening["recipient"]
  /** What the message should show by now; each call appends what is new since the last one. */
  target(): string | undefined
  /** The priority of appends (the start goes at least at "first", like a post). */
  priority(): Priority
  onPosting?(text: string): void
  onOpened?(ref: MessageRef): void
  onSent?(key: string, text: string): void
  /** Called once, when the stream is over for whatever reason. */
  onOver(outcome: LiveOutcome): void
}

type Op = "stream-start" | "stream" | "stream-stop"

const RANK: Record<Priority, number> = { interaction: 1, first: 3, final: 4, stream: 5, typing: 8 }

export class LiveMessage {
  private readonly opts: LiveOptions
  private stream: NativeStream | undefined
  private ref: MessageRef | undefined
  /** The text the platform shows. */
  private shown = ""
  private queued = false
  private inflight = false
  private attempts = 0
  private ending: { final: OutMessage; priority: Priority } | undefined
  private over = false
  private stalled = false
  private dirtySince: number | undefined
  private readonly waiters: Array<() => void> = []

  constructor(opts: LiveOptions) {
    this.opts = opts
  }

  /** What the message shows so far. */
  get streamed(): string {
    return this.shown
  }

  get opened(): boolean {
    return this.ref !== undefined
  }

  get isOver(): boolean {
    return this.over
  }

  get isEnding(): boolean {
    return this.ending !== undefined
  }

  /** The target may have newer text: send it (calls that would carry nothing are not made). */
  touch(): void {
    if (this.over || this.queued || this.inflight) return
    if (!this.ending && !this.hasNew()) return
    this.dirtySince ??= Date.now()
    this.enqueue()
  }

  /**
   * Ends the stream so that the message shows `final` (appending the rest when it only grew,
   * replacing it otherwise; posting it plainly if the stream never opened). Resolves when over.
   */
  end(final: OutMessage, priority: Priority): Promise<void> {
    if (!this.over) {
      this.ending = { final, priority }
      this.touch()
    }
    return this.done()
  }

  /** Stops sending; the platform keeps what it shows. */
  close(): void {
    this.finish({ kind: "closed" })
  }

  /** Resolves once the stream is over. */
  done(): Promise<void> {
    if (this.over) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  private finish(outcome: LiveOutcome): void {
    if (this.over) return
    this.over = true
    this.opts.onOver(outcome)
    for (const w of this.waiters.splice(0)) w()
  }

  private nextOp(): Op {
    return !this.stream ? "stream-start" : this.ending ? "stream-stop" : "stream"
  }

  private priorityOf(op: Op): Priority {
    const p = this.ending?.priority ?? this.opts.priority()
    return op === "stream-start" && RANK[p] > RANK.first ? "first" : p
  }

  private enqueue(delayMs = 0): void {
    this.queued = true
    const go = () => {
      if (this.over) {
        this.queued = false
        return
      }
      const op = this.nextOp()
      const { outbox } = this.opts
      outbox.limiters
        .schedule(op, outbox.adapter.scopeOf(this.ref ?? this.opts.thread), this.priorityOf(op), () => this.run(op), this.ref ?? this.opts.thread)
        .catch((err: unknown) => {
          // The limiter was stopped (shutdown): nothing more will be sent from here.
          this.queued = false
          outbox.log.debug({ err, slot: this.opts.label }, "stream call dropped")
          this.finish({ kind: "closed" })
        })
    }
    if (delayMs > 0) setTimeout(go, delayMs)
    else go()
  }

  private async run(op: Op): Promise<void> {
    this.queued = false
    const { outbox } = this.opts
    if (outbox.isGone(this.opts.thread)) return this.finish({ kind: "closed" })
    if (this.over) return
    // The ending may have come after this call was queued: the stop has its own budget.
    if (op !== this.nextOp()) return this.enqueue()
    this.inflight = true
    const waitingSince = this.dirtySince ?? Date.now()
    this.dirtySince = undefined
    let next: "idle" | number = "idle"
    try {
      if (op === "stream-start") next = await this.start(waitingSince)
      else if (op === "stream") next = await this.append(waitingSince)
      else await this.stop()
      this.attempts = 0
    } catch (err) {
      this.dirtySince ??= waitingSince
      next = this.onError(op, err)
    } finally {
      this.inflight = false
    }
    if (this.over) return
    if (typeof next === "number") this.enqueue(next)
    else if (this.ending || this.hasNew()) this.enqueue()
  }

  /** Whether a call would carry something: a first text, or text appended to what shows. */
  private hasNew(): boolean {
    const t = this.opts.target()
    if (!this.stream) return t !== undefined && /\S/.test(t)
    return t !== undefined && t.length > this.shown.length && t.startsWith(this.shown)
  }

  private async start(waitingSince: number): Promise<"idle"> {
    const { outbox } = this.opts
    const { adapter } = outbox
    if (this.ending) {
      // Over before it opened: the final text goes out as a plain message.
      const final = this.ending.final
      this.opts.onPosting?.(final.text)
      const ref = await adapter.post(this.opts.thread, final)
      outbox.stats.posts++
      outbox.observer?.sent("post", Date.now() - waitingSince)
      this.ref = ref
      this.opts.onOpened?.(ref)
      this.finish({ kind: "ended", ref, shows: final })
      return "idle"
    }
    const target = this.opts.target()
    if (target === undefined || !/\S/.test(target)) return "idle"
    const text = capped(target, adapter.capabilities.streaming?.maxAppend)
    this.opts.onPosting?.(text)
    const stream = await adapter.stream!(this.opts.thread, { text, ...(this.opts.recipient ? { recipient: this.opts.recipient } : {}) })
    this.stream = stream
    this.ref = stream.ref
    this.shown = text
    outbox.stats.streams++
    outbox.observer?.sent("stream", Date.now() - waitingSince)
    this.opts.onOpened?.(stream.ref)
    this.opts.onSent?.(contentKey({ text }), text)
    return "idle"
  }

  private async append(waitingSince: number): Promise<"idle"> {
    const { outbox } = this.opts
    const target = this.opts.target()
    if (target === undefined || target.length <= this.shown.length) return "idle"
    if (!target.startsWith(this.shown)) {
      // The text changed where it already showed: nothing appends to that. The final update fixes it.
      if (!this.stalled) outbox.log.debug({ slot: this.opts.label }, "a streamed text changed in place; the stream waits for the final update")
      this.stalled = true
      return "idle"
    }
    this.stalled = false
    const delta = capped(target.slice(this.shown.length), outbox.adapter.capabilities.streaming?.maxAppend)
    await this.stream!.append(delta)
    this.shown += delta
    outbox.stats.appends++
    outbox.observer?.sent("stream", Date.now() - waitingSince)
    this.opts.onSent?.(contentKey({ text: this.shown }), this.shown)
    return "idle"
  }

  private async stop(): Promise<void> {
    const final = this.ending!.final
    const same = final.text === this.shown && !final.actions && !final.select
    await this.stream!.stop(same ? undefined : final)
    if (!same) this.opts.onSent?.(contentKey(final), final.text)
    this.finish({ kind: "ended", ref: this.ref!, shows: final })
  }

  /** What a failure means: a delay before the next try, or the end of the stream. */
  private onError(op: Op, err: unknown): "idle" | number {
    const { outbox } = this.opts
    const { limiters, adapter, log, stats } = outbox
    if (err instanceof RateLimitError) {
      stats.rateLimited++
      outbox.observer?.rateLimited()
      limiters.pause(adapter.scopeOf(this.ref ?? this.opts.thread), err.scope, err.retryAfterMs)
      return 0 // the paused bucket holds the retry back
    }
    if (isChatError(err, "transient")) {
      const { baseMs = 500, maxMs = 30_000, attempts = 12 } = outbox.retry
      if (++this.attempts <= attempts) {
        stats.transientErrors++
        outbox.observer?.retried()
        return backoffDelay(this.attempts - 1, { initialMs: baseMs, maxMs })
      }
    }
    if (op === "stream-start" && !this.ending && isChatError(err, "not_found")) {
      outbox.threadGone(this.opts.thread, err)
      this.finish({ kind: "closed" })
      return "idle"
    }
    if (isChatError(err, "unsupported")) outbox.refuseStreaming(this.opts.thread, err)
    else log.warn({ err, slot: this.opts.label, op }, "a native stream call failed; the message continues by edits")
    if (!this.ref) {
      if (op === "stream-start" && this.ending) {
        // The plain post of a stream that never opened failed: the caller's slot posts it again.
        stats.failures++
      }
      this.finish({ kind: "unopened" })
    } else {
      this.finish({ kind: "broken", ref: this.ref, shows: { text: this.shown } })
    }
    return "idle"
  }
}

/** At most `max` UTF-16 units, never splitting a surrogate pair. */
function capped(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text
  const code = text.charCodeAt(max - 1)
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max)
}
