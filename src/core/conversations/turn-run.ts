// One turn in one thread, from prompt to final message: renders the turn from the store into
// a TurnStream, keeps the typing indicator alive, records what was posted (for restarts), and
// notices when the turn has ended — or never started.
import type { Logger } from "../../log/logger.ts"
import type { Block, Verbosity } from "../../delivery/render/blocks.ts"
import { turnBlocks } from "../../delivery/render/turn-blocks.ts"
import { TurnStream, type RestoredSlot } from "../../delivery/turn-stream.ts"
import type { TurnRecord, TurnRepo } from "../../storage/turns.ts"
import type { Store } from "../store/store.ts"
import { turnEnded } from "../store/status.ts"
import { retryVerdict } from "./retry-policy.ts"
import type { ThreadHost } from "./host.ts"

export interface TurnRunDeps {
  store: Store
  turns: TurnRepo
  log: Logger
  verbosity(): Verbosity
  typingIntervalMs: number
  /** Whether the runtime is reachable; no typing indicator while it is not. */
  connected?(): boolean
  /** How long a prompt may go without the runtime starting on it. */
  startTimeoutMs: number
  /** Provider retry attempts after which the turn is stopped (unreachable models stop sooner). */
  maxProviderRetries: number
  /** Stops the turn on the runtime. */
  abort(run: TurnRun): Promise<void>
  /** Asks the runtime whether our message exists (missed events); true if it does. */
  confirmStarted(run: TurnRun): Promise<boolean>
  onFinished(run: TurnRun, state: "done" | "failed"): void
  /** The turn's first message became visible, `ms` after the prompt. */
  onVisible?(run: TurnRun, ms: number): void
  now?: () => number
}

export class TurnRun {
  readonly record: TurnRecord
  readonly stream: TurnStream
  private readonly host: ThreadHost
  private readonly deps: TurnRunDeps
  private typing: ReturnType<typeof setInterval> | undefined
  private ending: Promise<void> | undefined
  private failure: string | undefined
  private checkingStart = false
  /** The turn is over: render it as finished (no retry notice, the footer). */
  private over = false

  constructor(host: ThreadHost, record: TurnRecord, deps: TurnRunDeps, restore?: { slots: RestoredSlot[] }) {
    this.host = host
    this.record = record
    this.deps = deps
    const turns = deps.turns
    this.stream = new TurnStream({
      outbox: host.surface.outbox,
      thread: host.thread,
      capabilities: host.surface.adapter.capabilities,
      log: deps.log,
      label: `turn:${record.id}`,
      render: () => this.blocks(),
      recipient: { user: host.ownerID, workspace: host.workspace },
      restore: { slots: restore?.slots ?? [], seals: record.seals },
      hooks: {
        posting: (index, text) => turns.recordPosting(record.id, index, text, this.now()),
        posted: (index, ref) => {
          turns.recordPost(record.id, index, ref, this.now())
          if (index === 0 && !restore?.slots.length) deps.onVisible?.(this, this.now() - record.startedAt)
        },
        sent: (index, key, text) => turns.recordSent(record.id, index, key, text),
        sealed: (seals) => turns.setSeals(record.id, seals),
      },
    })
  }

  get sessionID(): string {
    return this.record.sessionID
  }

  get finished(): boolean {
    return this.ending !== undefined
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now()
  }

  /** Starts the typing indicator (and the watchdog riding on its timer). */
  begin(): void {
    this.host.surface.outbox.typing(this.host.thread)
    this.typing = setInterval(() => this.tick(), this.deps.typingIntervalMs)
    this.typing.unref?.()
  }

  /** The store changed: refresh the messages and see whether the turn is over. */
  check(): void {
    if (this.ending) return
    this.stream.touch()
    const session = this.deps.store.session(this.record.sessionID)
    if (session) {
      const verdict = retryVerdict(session.status, this.deps.maxProviderRetries)
      if (verdict.stop) return void this.stopRetrying(verdict.note)
    }
    if (!session || !turnEnded(session, this.record.userMessageID)) return
    const cut = this.deps.store.turn(this.record.sessionID, this.record.userMessageID).some((m) => m.interrupted)
    void this.finish(cut ? "failed" : "done")
  }

  /** Ends the turn with a visible reason (the prompt failed or never started). */
  fail(reason: string): Promise<void> {
    this.failure = reason
    return this.finish("failed")
  }

  /** Final flush; then the conversation moves on. Safe to call more than once. */
  finish(state: "done" | "failed"): Promise<void> {
    if (this.ending) return this.ending
    // Set before the final layout starts (it runs synchronously below): that render is the last.
    this.over = true
    this.ending = (async () => {
      clearInterval(this.typing)
      const result = await this.stream.finish()
      if (!result.complete && !this.host.surface.outbox.isGone(this.host.thread)) {
        this.deps.log.error({ turn: this.record.id, thread: this.host.thread }, "a turn finished without every message showing its final text")
      }
      this.deps.turns.finish(this.record.id, state, this.now())
      this.deps.onFinished(this, state)
    })()
    return this.ending
  }

  /** The runtime would retry forever: stop it there and say why here (once). */
  private async stopRetrying(note: string): Promise<void> {
    if (this.ending) return
    this.deps.log.warn({ turn: this.record.id, note }, "stopping a turn the provider keeps failing")
    const finished = this.fail(note)
    await this.deps.abort(this).catch((err: unknown) => this.deps.log.warn({ err, turn: this.record.id }, "could not stop the retrying turn on the runtime"))
    await finished
  }

  /** Stops without a final flush (shutdown): the turn resumes after a restart. */
  suspend(): void {
    clearInterval(this.typing)
    this.stream.close()
  }

  blocks(): Block[] {
    const { store } = this.deps
    const session = store.session(this.record.sessionID)
    const failure: Block[] = this.failure ? [{ kind: "notice", key: "failure", tone: "error", text: this.failure }] : []
    if (!session) return failure
    const messages = store.turn(this.record.sessionID, this.record.userMessageID)
    const blocks = turnBlocks({
      session,
      messages,
      startedAt: this.record.startedAt,
      ended: this.over || turnEnded(session, this.record.userMessageID),
      verbosity: this.deps.verbosity(),
      catchingUp: (id) => store.catchingUp(id),
    })
    return [...blocks, ...failure]
  }

  private tick(): void {
    if (this.ending) return
    if (this.deps.connected?.() !== false) this.host.surface.outbox.typing(this.host.thread)
    void this.watchStart()
  }

  /** A prompt the runtime accepted but never started on would keep the thread busy forever. */
  private async watchStart(): Promise<void> {
    if (this.checkingStart || this.now() - this.record.startedAt < this.deps.startTimeoutMs) return
    const { store } = this.deps
    if (store.message(this.record.sessionID, this.record.userMessageID)) return
    const session = store.session(this.record.sessionID)
    if (session && session.status.type !== "idle") return
    this.checkingStart = true
    try {
      if (await this.deps.confirmStarted(this)) return this.check()
      await this.fail("OpenCode accepted the message but never started working on it (an attachment it could not read, or the runtime restarted). Please send it again.")
    } catch (err) {
      this.deps.log.warn({ err, turn: this.record.id }, "could not check whether a turn started")
    } finally {
      this.checkingStart = false
    }
  }
}
