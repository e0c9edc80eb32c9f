// What people saw, when, and how much of the platform's budget it took: pure accounting over the
// record of one delivery run (no clock, no I/O). A "step" is one change of the answer (a delta,
// a tool state, the footer) with the chunks it renders to; a "shown" is a call that made a text
// visible in one message (its index in the thread) at a time.
import type { ChatOp } from "../src/chat/types.ts"
import { PlatformLimiter, type PlatformLimit } from "../adapters/memory/budget.ts"

export interface Step {
  at: number
  chunks: string[]
  /** A piece of text that only this step added (see `markerOf`). */
  marker: string
}

export interface Shown {
  at: number
  message: number
  text: string
}

/** The answer's steps, and the first step at which each message index had each text. */
export class VersionBook {
  readonly steps: Step[] = []
  private readonly first: Array<Map<string, number>> = []

  add(at: number, chunks: string[], marker: string): void {
    const step = this.steps.length
    this.steps.push({ at, chunks, marker })
    chunks.forEach((text, i) => {
      const seen = (this.first[i] ??= new Map())
      if (!seen.has(text)) seen.set(text, step)
    })
  }

  /** The first step whose render gave `message` exactly this text (undefined: never rendered). */
  firstStep(message: number, text: string): number | undefined {
    return this.first[message]?.get(text)
  }

  get final(): string[] {
    return this.steps.at(-1)?.chunks ?? []
  }
}

/**
 * The last non-blank line of a rendered text, trimmed, at most 40 characters from its end. A
 * tool line's status icon is left out: a tool that finished before its running state could be
 * shown is seen when its finished line is.
 */
export function markerOf(formatted: string): string {
  const lines = formatted.trimEnd().split("\n")
  return (lines.at(-1) ?? "").trim().replace(/^(?:⏳|✅|❌) /u, "").slice(-40)
}

/**
 * How long each step waited until a person could see it: until some message showed a text that
 * this message index first had at that step or later, and that holds the step's marker. So an
 * earlier message that stopped changing is never credited with text that went into a later one,
 * and text that moved on to a message not yet posted is not seen. Steps never shown count
 * until `end`.
 */
export function staleness(book: VersionBook, shown: Shown[], end: number): number[] {
  const { steps } = book
  const seenAt: Array<number | undefined> = new Array(steps.length)
  let unseen = steps.map((_, i) => i)
  for (const v of [...shown].sort((a, b) => a.at - b.at)) {
    const newest = book.firstStep(v.message, v.text)
    if (newest === undefined) continue
    const keep: number[] = []
    for (let k = 0; k < unseen.length; k++) {
      const s = unseen[k]!
      if (s > newest) {
        keep.push(...unseen.slice(k))
        break
      }
      const step = steps[s]!
      if (v.at >= step.at && v.text.includes(step.marker)) seenAt[s] = v.at
      else keep.push(s)
    }
    unseen = keep
  }
  return steps.map((step, s) => (seenAt[s] ?? end) - step.at)
}

export interface DirtySpan {
  message: number
  from: number
  to: number
  /** What it takes to show the newest text: a post (not posted yet) or an edit. */
  op: "post" | "edit"
}

/** The spans during which a message's newest rendered text differed from what it showed. */
export function dirtySpans(book: VersionBook, shown: Shown[], end: number): DirtySpan[] {
  const messages = Math.max(0, ...book.steps.map((s) => s.chunks.length))
  const spans: DirtySpan[] = []
  for (let m = 0; m < messages; m++) {
    type Change = { at: number; latest?: string; visible?: string }
    const changes: Change[] = []
    let prev: string | undefined
    for (const step of book.steps) {
      const text = step.chunks[m]
      if (text !== undefined && text !== prev) changes.push({ at: step.at, latest: text })
      prev = text ?? prev
    }
    for (const v of shown) if (v.message === m) changes.push({ at: v.at, visible: v.text })
    // Steps before shows at the same instant: a call finishing then was sent before the step.
    changes.sort((a, b) => a.at - b.at || (a.latest !== undefined ? -1 : 0) - (b.latest !== undefined ? -1 : 0))
    let latest: string | undefined
    let visible: string | undefined
    let open: { from: number; op: DirtySpan["op"] } | undefined
    const close = (at: number) => {
      if (open && at > open.from) spans.push({ message: m, from: open.from, to: at, op: open.op })
      open = undefined
    }
    for (const c of changes) {
      if (c.latest !== undefined) latest = c.latest
      if (c.visible !== undefined) visible = c.visible
      const dirty = latest !== undefined && latest !== visible
      const op = visible === undefined ? "post" : "edit"
      if (open && (!dirty || open.op !== op)) close(c.at)
      if (dirty && !open) open = { from: c.at, op }
    }
    close(end)
  }
  return spans
}

/** Merges intervals into a sorted list of disjoint ones. */
export function union(spans: Array<{ from: number; to: number }>): Array<{ from: number; to: number }> {
  const sorted = spans.filter((s) => s.to > s.from).sort((a, b) => a.from - b.from)
  const out: Array<{ from: number; to: number }> = []
  for (const s of sorted) {
    const last = out.at(-1)
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to)
    else out.push({ from: s.from, to: s.to })
  }
  return out
}

/**
 * The most calls `limit` lets through within `spans` (half-open [from, to)), one scope key:
 * calling as early as allowed is optimal for sliding windows and GCRA alike, so no sequence of
 * calls the platform accepted can hold more.
 */
export function capacity(limit: PlatformLimit, spans: Array<{ from: number; to: number }>): number {
  const limiter = new PlatformLimiter([limit])
  const op = limit.ops[0]!
  const scope = { channel: "c", workspace: "w" }
  let n = 0
  for (const { from, to } of union(spans)) {
    for (let t = from; ; ) {
      const at = limiter.earliest(op, scope, t)
      if (at >= to) break
      limiter.take(op, scope, at)
      n++
      t = at
    }
  }
  return n
}

export interface KeyedSpan {
  key: string
  from: number
  to: number
  op: ChatOp
}

export interface AcceptedCall {
  key: string
  /** When the platform accepted the call (its budget is taken then). */
  at: number
  op: ChatOp
}

/**
 * Calls the limit counts that the platform accepted while there was changed text to show that
 * such a call could carry, and the most the limit would have accepted in that time. `sent ≤
 * allowed` holds by construction (see `capacity`).
 */
export function budgetUse(limit: PlatformLimit, spans: KeyedSpan[], calls: AcceptedCall[]): { sent: number; allowed: number } {
  const counted = (op: ChatOp) => limit.ops.includes(op)
  const byKey = new Map<string, Array<{ from: number; to: number }>>()
  for (const s of spans) if (counted(s.op)) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s])
  let sent = 0
  let allowed = 0
  for (const [key, list] of byKey) {
    const merged = union(list)
    allowed += capacity(limit, merged)
    sent += calls.filter((c) => c.key === key && counted(c.op) && merged.some((s) => c.at >= s.from && c.at < s.to)).length
  }
  return { sent, allowed }
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}
