// Streams one turn into a thread: render the turn to blocks, group the blocks into segments
// (a segment ends where an interaction message was posted, so the answer continues below it),
// format and split each segment to fit the platform, and keep one outbox slot per chunk.
// Layout is throttled and lazy: slots read the newest layout when their call runs. Earlier
// messages are edited only when their own chunk changed.
//
// Where the adapter offers native streams (and the workspace has not refused one), the newest
// message of the running segment is a LiveMessage instead: it streams the append-only preview
// of the segment (render/preview.ts), split like the rest; a message the preview outgrew ends
// its stream and keeps what it shows until the turn ends. At a seal or the end, every message
// takes the full render (the live one through the stream's stop). The first message streams
// only if a stream can open at once; otherwise the turn edits, as it does after a refusal.
import type { Logger } from "../log/logger.ts"
import type { ChatCapabilities, MessageRef, OutMessage, StreamOpening } from "../chat/types.ts"
import type { Block } from "./render/blocks.ts"
import { formatBlocks } from "./render/format.ts"
import { previewBlocks } from "./render/preview.ts"
import { LiveMessage, type LiveOutcome } from "./live-message.ts"
import type { Outbox, Slot } from "./outbox.ts"
import { splitMarkdownState, type MarkdownPiece, type SplitOptions, type SplitState } from "./split-markdown.ts"

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
  /** Who the answer is for (platforms that address native streams to a person). */
  recipient?: StreamOpening["recipient"]
}

interface Live {
  msg: LiveMessage
  /** The message's place among the turn's messages. */
  index: number
  /** The segment it streams and its piece of that segment's preview. */
  segment: number
  piece: number
  /** Characters of the piece's body an earlier message already showed (it overshot a cut). */
  skip: number
}

/** Share of a streamed message's cap after which only complete paragraphs stream (see pieceText). */
const HOLD_SHARE = 0.75

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

  /** This turn streams natively (decided at its start; given up after a refusal). */
  private native: boolean
  private live: Live | undefined
  /** The running segment: its number, where its messages begin, and its preview's pieces. */
  private segment = 0
  private segmentStart = 0
  private previewSplit: SplitState | undefined
  /** The preview piece the next live message streams, and what of it already showed. */
  private nextPiece = 0
  private nextSkip = 0
  /** Messages whose stream ended mid-turn: they keep what they show until a seal or the end. */
  private readonly frozen = new Set<number>()
  private checkingReady = false

  constructor(opts: TurnStreamOptions) {
    this.opts = opts
    this.seals = [...(opts.restore?.seals ?? [])]
    const restored = opts.restore?.slots ?? []
    for (const r of [...restored].sort((a, b) => a.index - b.index)) {
      this.slots[r.index] = this.makeSlot(r.index, r)
    }
    // A resumed turn continues by edits: its stream (if it had one) belongs to the old process.
    this.native = restored.length === 0 && opts.capabilities.streaming !== undefined && opts.outbox.canStream(opts.thread)
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
    if (this.native) {
      // The streamed part of this segment ends here; its messages take the full render.
      const live = this.live
      if (live && !live.msg.isEnding) void live.msg.end(this.finalOf(live.index, chunks), "interaction")
      this.frozen.clear()
      this.segmentStart = Math.max(chunks.length, live ? live.index + 1 : 0, this.slots.length)
      this.nextPiece = 0
      this.nextSkip = 0
    }
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
    const live = this.live
    if (live) {
      // The live message ends showing its share of the final render (appended where it only grew).
      this.frozen.clear()
      await live.msg.end(this.finalOf(live.index, this.layout()), "final")
    }
    this.frozen.clear()
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
    this.live?.msg.close()
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
    const options = this.splitOptions()
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
    if (this.native && !this.finished) {
      this.segment = segments.length - 1
      const text = formatBlocks(previewBlocks(segments.at(-1)!), capabilities.markdown)
      this.previewSplit = splitMarkdownState(text, options, this.previewSplit?.options === options ? this.previewSplit : undefined)
    }
    return chunks
  }

  /**
   * How messages are cut. A natively streamed turn grows each message up to the stream's own
   * cap and skips the soft roll (so the final render cuts where the streams did); edits roll softly.
   */
  private splitOptions(): SplitOptions {
    const c = this.opts.capabilities
    if (this.native && c.streaming) return (this.streamOptions ??= { limit: Math.min(c.maxMessageLength, c.streaming.maxTotal) })
    return (this.editOptions ??= { limit: c.maxMessageLength, ...softOf(c) })
  }

  private streamOptions: SplitOptions | undefined
  private editOptions: SplitOptions | undefined

  /** What message `index` shows once its stream ends: its chunk of the full render. */
  private finalOf(index: number, chunks: string[]): OutMessage {
    const live = this.live
    return { text: chunks[index] ?? (live && live.index === index && live.msg.streamed ? live.msg.streamed : "…") }
  }

  /** Lays out and wakes every slot whose message should change (opening slots for new chunks); true if any. */
  private sync(): boolean {
    const chunks = this.layout()
    if (this.native && !this.finished) return this.syncNative(chunks)
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

  /**
   * While natively streaming: messages of sealed segments follow the full render as edits;
   * the running segment's newest message streams its preview piece, the ones before it hold.
   */
  private syncNative(chunks: string[]): boolean {
    let woke = false
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]
      if (slot?.changed) {
        slot.touch()
        woke = true
      }
    }
    const pieces = this.previewSplit?.pieces ?? []
    const live = this.live
    if (live) {
      if (live.msg.isEnding) return woke
      if (live.segment !== this.segment) return woke // a seal ended it; its end is on the way
      if (live.piece < pieces.length - 1) {
        // The preview moved on to a next piece: this message ends at its cut.
        const text = this.pieceText(pieces, live.piece, live.skip, true)!
        const shown = live.msg.streamed
        const grows = text.startsWith(shown)
        this.nextPiece = live.piece + 1
        this.nextSkip = grows ? 0 : overshoot(shown, text, pieces[live.piece + 1]!)
        void live.msg.end({ text: grows ? text : shown }, "stream")
        return true
      }
      live.msg.touch()
      return woke
    }
    if (this.nextPiece >= pieces.length || chunks.length === 0) return woke
    const index = this.segmentStart + this.nextPiece
    if (index > 0 && !this.slots[index - 1]?.ref) return woke // messages appear in order
    if (index === 0) {
      // The first message streams only if a stream can open now; otherwise it is posted.
      if (!this.checkingReady) {
        this.checkingReady = true
        void this.opts.outbox.limiters.ready("stream-start", this.opts.outbox.adapter.scopeOf(this.opts.thread)).then(
          (ready) => {
            this.checkingReady = false
            if (this.closed || this.live || this.finished || !this.native) return
            if (ready) this.openLive(0)
            else this.giveUpNative("a stream could not open at once")
            this.sync()
          },
          () => (this.checkingReady = false),
        )
      }
      return woke
    }
    this.openLive(index)
    return true
  }

  /**
   * What message `piece` streams. A piece that is still growing is where the split may yet
   * cut: the cut falls on the latest paragraph break that fits, so past three quarters of the
   * cap only complete paragraphs are streamed (text past the cut would show twice).
   */
  private pieceText(pieces: MarkdownPiece[], piece: number, skip: number, closed: boolean): string | undefined {
    const p = pieces[piece]
    if (!p) return undefined
    const head = p.reopenedFence + p.repeatedHeader
    const body = p.body.slice(skip)
    if (closed) return head + body + p.closingFence
    const hold = Math.floor(this.splitOptions().limit * HOLD_SHARE) - head.length
    if (body.length <= hold) return head + body
    return head + body.slice(0, Math.max(hold, body.lastIndexOf("\n\n")))
  }

  private openLive(index: number): void {
    const segment = this.segment
    const piece = this.nextPiece
    const skip = this.nextSkip
    const slot = (this.slots[index] ??= this.makeSlot(index))
    const msg = new LiveMessage({
      outbox: this.opts.outbox,
      thread: this.opts.thread,
      label: `${this.opts.label ?? "turn"}#${index}~stream`,
      ...(this.opts.recipient ? { recipient: this.opts.recipient } : {}),
      target: () => {
        if (this.segment !== segment) return undefined
        this.layout()
        const pieces = this.previewSplit?.pieces ?? []
        return this.pieceText(pieces, piece, skip, piece < pieces.length - 1)
      },
      priority: () => (this.finished ? "final" : "stream"),
      onPosting: (text) => this.opts.hooks?.posting?.(index, text),
      onOpened: (ref) => {
        slot.ref = ref
        this.opts.hooks?.posted?.(index, ref)
        this.slots[index + 1]?.touch()
      },
      onSent: (key, text) => this.opts.hooks?.sent?.(index, key, text),
      onOver: (outcome) => this.liveOver(index, slot, outcome),
    })
    this.live = { msg, index, segment, piece, skip }
    msg.touch()
  }

  private liveOver(index: number, slot: Slot, outcome: LiveOutcome): void {
    if (this.live?.index === index) this.live = undefined
    switch (outcome.kind) {
      case "ended":
      case "broken":
        // Edits take the message from here; mid-turn it keeps what it shows.
        if (!this.finished && this.segment === this.liveSegmentOf(index) && outcome.kind === "ended") this.frozen.add(index)
        slot.adopt(outcome.shows, outcome.ref)
        if (outcome.kind === "broken") this.giveUpNative("a stream call failed")
        break
      case "unopened":
        this.giveUpNative("the platform did not open a stream")
        break
      case "closed":
        return
    }
    if (!this.closed) this.sync()
  }

  /** Whether message `index` belongs to the running segment (it was not sealed since). */
  private liveSegmentOf(index: number): number {
    return index >= this.segmentStart ? this.segment : -1
  }

  /** From here this turn streams by edits: messages take the full render. */
  private giveUpNative(why: string): void {
    if (!this.native) return
    this.native = false
    this.frozen.clear()
    this.previewSplit = undefined
    this.splits = []
    this.version++
    this.opts.log.debug({ label: this.opts.label, why }, "this turn continues by edits")
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
      // A live stream shows this message; a stream that ended mid-turn holds what it shows.
      if (this.live?.index === index || (this.frozen.has(index) && !this.finished)) return undefined
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

/**
 * A message overshot its piece's cut (it streamed past where the split later fell): how much
 * of the next piece's body it already shows, so the next message does not repeat it.
 */
function overshoot(shown: string, closed: string, next: MarkdownPiece): number {
  let common = 0
  while (common < closed.length && common < shown.length && closed.charCodeAt(common) === shown.charCodeAt(common)) common++
  const extra = shown.slice(common).trimStart()
  return extra.length > 0 && next.body.startsWith(extra) ? extra.length : 0
}

function softOf(c: ChatCapabilities): { soft?: number } {
  return c.softMessageLength !== undefined && c.softMessageLength < c.maxMessageLength ? { soft: c.softMessageLength } : {}
}

export type { Slot }
