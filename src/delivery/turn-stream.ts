// Streams one turn into a thread: render the turn to blocks, group the blocks into segments
// (a segment ends where an interaction message was posted, so the answer continues below it),
// format and split each segment to fit the platform, and keep one outbox slot per chunk.
// Layout is throttled and lazy: slots read the newest layout when their call runs. Earlier
// messages are edited only when their own chunk changed.
import type { Logger } from "../log/logger.ts"
import type { ChatCapabilities, MessageRef } from "../chat/types.ts"
import type { Block } from "./render/blocks.ts"
import { formatBlocks } from "./render/format.ts"
import type { Outbox, Slot } from "./outbox.ts"
import { splitMarkdownState, type SplitState } from "./split-markdown.ts"

/** A slot that existed before a restart. */
export interface RestoredSlot {
  index: number
  ref: MessageRef
  sentKey: string | undefined
  /** What the message showed; kept until the new render catches up (the runtime keeps no partial text). */
  sentText?: string
}

export interface TurnStreamHooks {
  posting?(index: number, text: string): void
  posted?(index: number, ref: MessageRef): void
  sent?(index: number, key: string, text: string): void
  sealed?(seals: string[]): void
}

export interface TurnStreamOptions {
  outbox: Outbox
  thread: string
  /** The turn's current blocks (reads the store). */
  render(): Block[]
  capabilities: ChatCapabilities
  log: Logger
  label?: string
  /** How long to gather changes before laying out again. */
  layoutDelayMs?: number
  restore?: { slots: RestoredSlot[]; seals: string[] }
  hooks?: TurnStreamHooks
}

/** Keys that mark where a seal can sit: stable content, not transient notices. */
const SEALABLE = new Set<Block["kind"]>(["text", "tool", "reasoning", "todos"])

export class TurnStream {
  private readonly opts: TurnStreamOptions
  private readonly slots: Slot[] = []
  private chunks: string[] = []
  private version = 0
  private laidOut = -1
  private timer: ReturnType<typeof setTimeout> | undefined
  private seals: string[]
  private finished = false
  private closed = false
  private lastBlockKey: string | undefined
  /** The last split of each segment, resumed when the segment's text only grew. */
  private splits: Array<SplitState | undefined> = []

  constructor(opts: TurnStreamOptions) {
    this.opts = opts
    this.seals = [...(opts.restore?.seals ?? [])]
    for (const r of [...(opts.restore?.slots ?? [])].sort((a, b) => a.index - b.index)) {
      this.slots[r.index] = this.makeSlot(r.index, r)
    }
  }

  /** The store changed: lay out again soon. */
  touch(): void {
    this.version++
    if (this.timer || this.finished) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.sync()
    }, this.opts.layoutDelayMs ?? 100)
  }

  /**
   * An interaction message is about to be posted below: what the turn has shown so far goes
   * out first (at the interaction's priority, so it is not overtaken), and what comes next
   * goes into new messages under it.
   */
  seal(): void {
    this.version++
    const chunks = this.layout()
    for (let i = 0; i < chunks.length; i++) {
      const slot = (this.slots[i] ??= this.makeSlot(i))
      if (!slot.ref) slot.priority = "interaction"
    }
    this.sync()
    const key = this.lastBlockKey
    if (key === undefined || this.seals.at(-1) === key) return
    this.seals.push(key)
    this.version++
    this.opts.hooks?.sealed?.([...this.seals])
  }

  /** The turn is over: lay out the final render and wait until every message shows it. */
  async finish(): Promise<{ complete: boolean; chunks: string[] }> {
    this.finished = true
    clearTimeout(this.timer)
    this.timer = undefined
    this.version++
    for (const slot of this.slots) if (slot) slot.priority = "final"
    // Posts go one after another (each new chunk opens once the one before it has its ref), so
    // settling takes a round per new message; each round waits on the slots, never on a clock.
    let failures = 0
    for (;;) {
      if (this.closed) return { complete: false, chunks: [...this.chunks] }
      const woke = this.sync()
      await Promise.all(this.slots.map((s) => s?.settled()))
      const complete = this.chunks.every((c, i) => this.slots[i]?.shows({ text: c }) === true)
      if (complete) return { complete, chunks: [...this.chunks] }
      // A slot that gave up (after its retries) gets a few more chances before we say so.
      const failed = this.slots.some((s) => s?.hasFailed)
      if (failed && ++failures > 2) return { complete, chunks: [...this.chunks] }
      if (!woke && !failed) {
        // Nothing was left to send, yet the messages differ: stop rather than spin.
        this.opts.log.error({ label: this.opts.label }, "a turn's messages settled without showing its final render")
        return { complete, chunks: [...this.chunks] }
      }
    }
  }

  /** Stops sending (the thread moved on, or shutdown). */
  close(): void {
    this.closed = true
    clearTimeout(this.timer)
    this.timer = undefined
    for (const s of this.slots) s?.close()
  }

  /** Current chunks, laying out again if anything changed. */
  layout(): string[] {
    if (this.laidOut === this.version) return this.chunks
    this.laidOut = this.version
    const { capabilities } = this.opts
    const blocks = this.opts.render()
    const segments: Block[][] = [[]]
    const seals = new Set(this.seals)
    for (const b of blocks) {
      segments.at(-1)!.push(b)
      if (SEALABLE.has(b.kind)) this.lastBlockKey = b.key
      if (seals.has(b.key)) segments.push([])
    }
    const chunks: string[] = []
    const options = { limit: capabilities.maxMessageLength, ...softOf(capabilities) }
    const splits: Array<SplitState | undefined> = []
    for (const [i, seg] of segments.entries()) {
      const text = formatBlocks(seg, capabilities.markdown)
      if (!/\S/.test(text)) continue
      const split = splitMarkdownState(text, options, this.splits[i])
      splits[i] = split
      for (const piece of split.pieces) chunks.push(piece.text)
    }
    this.splits = splits
    this.chunks = chunks
    return chunks
  }

  /** Lays out and wakes every slot whose message should change (opening slots for new chunks); true if any. */
  private sync(): boolean {
    const chunks = this.layout()
    let woke = false
    for (let i = 0; i < Math.max(chunks.length, this.slots.length); i++) {
      // Past the end (the render shrank, rare) a message is emptied rather than left stale.
      const slot = i < chunks.length ? (this.slots[i] ??= this.makeSlot(i)) : this.slots[i]
      if (slot?.changed) {
        slot.touch()
        woke = true
      }
    }
    return woke
  }

  private makeSlot(index: number, restored?: RestoredSlot): Slot {
    let held = restored?.sentText
    const slot = this.opts.outbox.slot({
      thread: this.opts.thread,
      label: `${this.opts.label ?? "turn"}#${index}`,
      priority: this.finished ? "final" : "stream",
      ...(restored ? { ref: restored.ref, ...(restored.sentKey ? { sentKey: restored.sentKey } : {}) } : {}),
      onPosting: (content) => this.opts.hooks?.posting?.(index, content.text),
      onPosted: (ref) => {
        this.opts.hooks?.posted?.(index, ref)
        this.slots[index + 1]?.touch()
      },
      onSent: (key, content) => this.opts.hooks?.sent?.(index, key, content.text),
    })
    slot.set(() => {
      // Messages appear in order: a chunk is posted only after the one before it.
      if (!slot.ref && index > 0 && !this.slots[index - 1]?.ref) return undefined
      const chunks = this.layout()
      const chunk = chunks[index]
      // After a restart the runtime has no partial text: keep what the message showed until
      // the render catches up with it or the turn ends.
      if (held !== undefined) {
        if (!this.finished && (chunk === undefined || chunk.length < held.length)) return { text: held }
        held = undefined
      }
      if (chunk !== undefined) return { text: chunk }
      return slot.ref ? { text: "…" } : undefined
    })
    return slot
  }
}

function softOf(c: ChatCapabilities): { soft?: number } {
  return c.softMessageLength !== undefined && c.softMessageLength < c.maxMessageLength ? { soft: c.softMessageLength } : {}
}

export type { Slot }
