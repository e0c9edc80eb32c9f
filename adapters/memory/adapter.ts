// An in-memory chat platform for tests and benchmarks. It enforces the rate rules it declares
// exactly like a strict platform (sliding windows; over budget ⇒ RateLimitError with a
// retry-after) — or, given `limits`, a platform's published limits of its own instead —
// enforces the length limit and the edit-age limit, can inject rate-limit storms and 5xx
// errors, and records every call so tests assert what a person would see.
import { ChatError, RateLimitError } from "../../src/chat/errors.ts"
import type {
  ChatAdapter,
  ChatCapabilities,
  ChatEvent,
  ChatOp,
  ChatReply,
  ChatSink,
  MessageRef,
  NativeStream,
  OutFile,
  OutMessage,
  StreamOpening,
  ThreadRef,
} from "../../src/chat/types.ts"
import { PlatformLimiter, SlidingBudget, type BudgetVerdict, type PlatformLimit } from "./budget.ts"

export interface MemoryFaults {
  /** Share of calls refused with a rate-limit error (on top of real budget enforcement). */
  rateLimitRatio?: number
  rateLimitRetryAfterMs?: number
  /** Share of calls failing with a transient (5xx) error. */
  transientRatio?: number
  random?: () => number
}

export interface MemoryAdapterOptions {
  platform?: string
  capabilities?: Partial<ChatCapabilities>
  faults?: MemoryFaults
  /** Simulated call latency in ms. */
  latencyMs?: number
  /**
   * The platform's own limits, enforced instead of `capabilities.rateRules` (which delivery
   * paces itself by). Without it the fake enforces the declared rules.
   */
  limits?: PlatformLimit[]
  now?: () => number
  /** Resolves names from an access config to ids, as a platform's user and channel directory would. */
  directory?(kind: "user" | "channel", name: string): string | undefined
  /**
   * Offer native streams (ChatAdapter.stream) with these limits of its own: an append or
   * opening text over `maxAppend`, or a message over `maxTotal`, is refused `too_long`.
   * `refused`: every stream is refused `unsupported` (a workspace without the feature).
   */
  streaming?: { maxAppend: number; maxTotal: number; refused?: boolean }
}

export interface StoredMessage {
  ref: MessageRef
  thread: ThreadRef
  text: string
  actions: OutMessage["actions"]
  select: OutMessage["select"]
  postedAt: number
  editedAt: number | undefined
  edits: number
  deleted: boolean
  /** While a native stream is open on it: appends so far. */
  streaming?: { appends: number }
  ephemeralFor?: string
  file?: OutFile
}

export interface CallRecord {
  op: ChatOp | "ephemeral"
  ref: string
  at: number
  ok: boolean
  error?: string
  text?: string
}

export const memoryCapabilities: ChatCapabilities = {
  maxMessageLength: 4_000,
  markdown: "gfm",
  buttons: true,
  selects: true,
  reactions: true,
  ephemeral: true,
  maxActions: 5,
  maxActionLabel: 80,
  rateRules: [],
}

export class MemoryAdapter implements ChatAdapter {
  readonly platform: string
  readonly capabilities: ChatCapabilities
  readonly calls: CallRecord[] = []
  readonly messages = new Map<MessageRef, StoredMessage>()
  readonly reactions: Array<{ ref: MessageRef; emoji: string }> = []
  readonly typingIn: ThreadRef[] = []
  rateLimited = 0
  transientFailures = 0
  private refuse: Error | undefined
  private sink: ChatSink | undefined
  private readonly listeners = new Set<() => void>()
  private readonly budget: { take(op: ChatOp, scope: { channel: string; workspace: string }, now: number): BudgetVerdict }
  private readonly opts: MemoryAdapterOptions
  private readonly now: () => number
  private seq = 0

  constructor(opts: MemoryAdapterOptions = {}) {
    this.opts = opts
    this.platform = opts.platform ?? "memory"
    this.capabilities = { ...memoryCapabilities, ...opts.capabilities }
    this.budget = opts.limits ? new PlatformLimiter(opts.limits) : new SlidingBudget(this.capabilities.rateRules)
    this.now = opts.now ?? (() => Date.now())
    const streaming = opts.streaming
    if (streaming) {
      this.capabilities = { ...this.capabilities, streaming: { maxAppend: streaming.maxAppend, maxTotal: streaming.maxTotal } }
      this.stream = (thread, opening) => this.openStream(thread, opening, streaming)
    }
  }

  /** Present when constructed with `streaming`. */
  readonly stream?: (thread: ThreadRef, opening: StreamOpening) => Promise<NativeStream>
  /** Openings seen (with their recipients), for tests. */
  readonly streamsOpened: Array<{ ref: MessageRef; recipient: StreamOpening["recipient"] }> = []

  private async openStream(thread: ThreadRef, opening: StreamOpening, limits: NonNullable<MemoryAdapterOptions["streaming"]>): Promise<NativeStream> {
    await this.gate("stream-start", thread)
    if (limits.refused) {
      this.record("stream-start", thread, false, opening.text, "unsupported")
      throw new ChatError(this.platform, "unsupported", "streaming is not enabled for this workspace")
    }
    this.limitAppend(thread, opening.text, "", limits)
    const ref = this.store(thread, "m", { text: opening.text, streaming: { appends: 0 } })
    this.streamsOpened.push({ ref, recipient: opening.recipient })
    this.record("stream-start", ref, true, opening.text)
    const live = () => {
      const m = this.messages.get(ref)
      if (!m || m.deleted) throw new ChatError(this.platform, "not_found", `message ${ref} does not exist`)
      if (!m.streaming) throw new ChatError(this.platform, "invalid", `message ${ref} is not streaming`)
      return m
    }
    return {
      ref,
      append: async (text) => {
        await this.gate("stream", ref)
        const m = live()
        this.limitAppend(ref, text, m.text, limits)
        m.text += text
        m.streaming!.appends++
        this.record("stream", ref, true, text)
      },
      stop: async (final) => {
        await this.gate("stream-stop", ref, final?.text)
        const m = live()
        delete m.streaming
        if (final) {
          m.text = final.text
          m.actions = final.actions
          m.select = final.select
          m.editedAt = this.now()
        }
        this.record("stream-stop", ref, true, final?.text)
      },
    }
  }

  private limitAppend(ref: string, text: string, before: string, limits: { maxAppend: number; maxTotal: number }): void {
    if (text.length > limits.maxAppend || before.length + text.length > limits.maxTotal) {
      this.record("stream", ref, false, text, "too_long")
      throw new ChatError(this.platform, "too_long", `a stream append of ${text.length} (total ${before.length + text.length}) is over the limits`)
    }
  }

  // --- test-facing helpers ---------------------------------------------------------------

  /** A thread address: channel `c` of workspace `w`, rooted at `root`. */
  thread(channel = "c1", root = `root${++this.seq}`, workspace = "w1"): ThreadRef {
    return `${this.platform}:${workspace}:${channel}:${root}`
  }

  /** Messages of a thread as a person sees them, in post order (deleted and ephemeral left out). */
  visible(thread: ThreadRef): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.thread === thread && !m.deleted && !m.ephemeralFor)
  }

  /** The thread's visible text, messages joined by a blank line. */
  transcript(thread: ThreadRef): string {
    return this.visible(thread)
      .map((m) => m.text)
      .join("\n\n")
  }

  ephemerals(userId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.ephemeralFor === userId)
  }

  /** Simulates a person (or moderator) deleting a message: later edits get `not_found`. */
  deleteByUser(ref: MessageRef): void {
    const m = this.messages.get(ref)
    if (m) m.deleted = true
  }

  /** Calls `fn` after every recorded call (for tests that await what a person sees). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** The next call fails with `err` (e.g. a RateLimitError), as a platform's one-off refusal. */
  refuseNext(err: Error): void {
    this.refuse = err
  }

  /**
   * Delivers an inbound event as the platform would, returning the core's reply. Like real
   * platforms, the answer to a click is shown to the clicker only.
   */
  async send(event: ChatEvent): Promise<ChatReply | void> {
    if (!this.sink) throw new Error("memory adapter not started")
    const reply = await this.sink(event)
    if (event.kind === "action" && reply?.ephemeral) this.store(event.thread, "e", { text: reply.ephemeral, ephemeralFor: event.user.id })
    return reply
  }

  // --- ChatAdapter -------------------------------------------------------------------------

  async start(sink: ChatSink): Promise<void> {
    this.sink = sink
  }

  async stop(): Promise<void> {
    this.sink = undefined
  }

  scopeOf(ref: ThreadRef | MessageRef): { channel: string; workspace: string } {
    const [, workspace = "", channel = ""] = ref.split(":")
    return { channel, workspace }
  }

  async post(thread: ThreadRef, message: OutMessage): Promise<MessageRef> {
    await this.gate("post", thread, message.text)
    const ref = this.store(thread, "m", { text: message.text, actions: message.actions, select: message.select })
    this.record("post", ref, true, message.text)
    return ref
  }

  async edit(ref: MessageRef, content: OutMessage): Promise<void> {
    const stored = this.messages.get(ref)
    await this.gate("edit", ref, content.text)
    if (!stored || stored.deleted) {
      this.record("edit", ref, false, content.text, "not_found")
      throw new ChatError(this.platform, "not_found", `message ${ref} does not exist`)
    }
    if (stored.streaming) {
      this.record("edit", ref, false, content.text, "streaming")
      throw new ChatError(this.platform, "invalid", `message ${ref} is still streaming`)
    }
    const maxAge = this.capabilities.maxEditAgeMs
    if (maxAge !== undefined && this.now() - stored.postedAt > maxAge) {
      this.record("edit", ref, false, content.text, "too_old")
      throw new ChatError(this.platform, "too_old", `message ${ref} is too old to edit`)
    }
    stored.text = content.text
    stored.actions = content.actions
    stored.select = content.select
    stored.editedAt = this.now()
    stored.edits++
    this.record("edit", ref, true, content.text)
  }

  async lookup(kind: "user" | "channel", name: string): Promise<string | undefined> {
    return this.opts.directory?.(kind, name)
  }

  async recentPosts(thread: ThreadRef, since: number): Promise<Array<{ ref: MessageRef; text: string; at: number }>> {
    return this.visible(thread)
      .filter((m) => m.postedAt >= since)
      .map((m) => ({ ref: m.ref, text: m.text, at: m.postedAt }))
  }

  async delete(ref: MessageRef): Promise<void> {
    await this.gate("delete", ref)
    const stored = this.messages.get(ref)
    if (stored) stored.deleted = true
    this.record("delete", ref, true)
  }

  async react(ref: MessageRef, emoji: string): Promise<void> {
    await this.gate("react", ref)
    this.reactions.push({ ref, emoji })
    this.record("react", ref, true)
  }

  async typing(thread: ThreadRef): Promise<void> {
    await this.gate("typing", thread)
    this.typingIn.push(thread)
    this.record("typing", thread, true)
  }

  async ephemeral(thread: ThreadRef, userId: string, text: string): Promise<void> {
    const ref = this.store(thread, "e", { text, ephemeralFor: userId })
    this.record("ephemeral", ref, true, text)
  }

  async upload(thread: ThreadRef, file: OutFile, comment?: string): Promise<MessageRef> {
    await this.gate("upload", thread)
    const ref = this.store(thread, "f", { text: comment ?? "", file })
    this.record("upload", ref, true)
    return ref
  }

  private store(thread: ThreadRef, kind: string, extra: Partial<StoredMessage> & { text: string }): MessageRef {
    const ref = `${thread}:${kind}${++this.seq}`
    this.messages.set(ref, {
      ref,
      thread,
      actions: undefined,
      select: undefined,
      postedAt: this.now(),
      editedAt: undefined,
      edits: 0,
      deleted: false,
      ...extra,
    })
    return ref
  }

  private record(op: CallRecord["op"], ref: string, ok: boolean, text?: string, error?: string) {
    this.calls.push({ op, ref, at: this.now(), ok, ...(text !== undefined ? { text } : {}), ...(error ? { error } : {}) })
    for (const fn of [...this.listeners]) fn()
  }

  /** Latency, injected faults, the length limit and the budget, in the order a platform applies them. */
  private async gate(op: ChatOp, ref: string, text?: string): Promise<void> {
    const at = this.now()
    if (this.refuse) {
      const err = this.refuse
      this.refuse = undefined
      if (err instanceof RateLimitError) this.rateLimited++
      this.record(op, ref, false, text, err.message)
      throw err
    }
    const faults = this.opts.faults
    const random = faults?.random ?? Math.random
    if (faults?.rateLimitRatio && random() < faults.rateLimitRatio) {
      this.rateLimited++
      this.record(op, ref, false, text, "rate_limited (injected)")
      throw new RateLimitError(this.platform, faults.rateLimitRetryAfterMs ?? 500, "channel")
    }
    if (faults?.transientRatio && random() < faults.transientRatio) {
      this.transientFailures++
      this.record(op, ref, false, text, "transient (injected)")
      throw new ChatError(this.platform, "transient", "HTTP 503 (injected)")
    }
    if (text !== undefined && text.length > this.capabilities.maxMessageLength) {
      this.record(op, ref, false, text, "too_long")
      throw new ChatError(this.platform, "too_long", `${text.length} characters exceed ${this.capabilities.maxMessageLength}`)
    }
    const verdict = this.budget.take(op, this.scopeOf(ref), at)
    if (!verdict.ok) {
      this.rateLimited++
      this.record(op, ref, false, text, "rate_limited")
      throw new RateLimitError(this.platform, verdict.retryAfterMs, verdict.scope)
    }
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs))
  }
}
