// Splits rendered markdown into chat messages of at most `limit` UTF-16 code units. The text
// is usually still streaming, so the split must be stable: once a chunk is followed by
// another, growing the text never changes it. Each chunk is therefore decided only from the
// state at its start (open fence, table) and the text in its window: `limit` code units past
// its start plus one code point to see how a line ends there.
//
// Per chunk: (1) with `soft`, end at the first paragraph break past `soft`; (2) otherwise take
// the rest if it fits (closing a fence left open by the stream); (3) otherwise cut at the best
// boundary that fits (chunk-boundaries.ts). A cut inside a fence closes it and the next chunk
// reopens it; a cut inside a table repeats the header in the next chunk.

import { bestCut, breaksAt, graphemeEnd, lineBreaks, PARAGRAPH, type ChunkWindow, type Cut } from "./chunk-boundaries.ts"
import {
  bareOpener,
  fenceAfterLine,
  fenceCompletion,
  isWhitespace,
  NewlineIndex,
  scanLines,
  startsTableRow,
  type Fence,
  type ScannedLine,
  type TableHead,
} from "./markdown-lines.ts"

export interface SplitOptions {
  /** Hard cap per chunk, in UTF-16 code units (`string.length`). At least MIN_SPLIT_LIMIT. */
  limit: number
  /** Reading-comfort length (< limit): a chunk that reached it ends at the next paragraph break. */
  soft?: number
}

/**
 * One chunk and where it came from. `leading + body + separator`, concatenated over all
 * pieces, is exactly the original text; `text` is `reopenedFence + repeatedHeader + body +
 * closingFence`.
 */
export interface MarkdownPiece {
  /** The chunk to send. */
  text: string
  /** The original text this chunk carries: text.slice(start, end). */
  body: string
  start: number
  end: number
  /** Synthetic: the fence opener line (with "\n") reopening a block cut by the previous chunk. */
  reopenedFence: string
  /** Synthetic: table header and delimiter rows (with "\n"s) of a table cut by the previous chunk. */
  repeatedHeader: string
  /** Synthetic: the fence closer appended because the chunk ends inside a code block. */
  closingFence: string
  /** Original whitespace dropped after the body: the boundary, or trailing whitespace. */
  separator: string
  /** Original whitespace dropped before the body: only on the first piece, when the text starts with a lot of it. */
  leading: string
}

/** Room for a fence opener, its closer and some text. */
export const MIN_SPLIT_LIMIT = 32

interface Context {
  readonly text: string
  readonly limit: number
  readonly soft: number | undefined
  readonly newlines: NewlineIndex
  /** One past the last non-whitespace character (or the grapheme it starts). */
  readonly contentEnd: number
  /** Longest indentation kept at the start of a chunk; longer runs are dropped as separator. */
  readonly keepIndent: number
}

/** What a chunk starts in, as left by the previous cut. */
interface Carry {
  readonly fence: Fence | null
  readonly table: TableHead | null
  /** The table row was cut mid-line, so the chunk's first line continues it. */
  readonly midRow: boolean
}

interface Plan {
  readonly end: number
  readonly closer: string
  /** Start of the next chunk's body, or null when this chunk is the last. */
  readonly next: number | null
  readonly carry: Carry
}

const START: Carry = { fence: null, table: null, midRow: false }

export function splitMarkdown(text: string, options: SplitOptions): string[] {
  return splitMarkdownPieces(text, options).map((piece) => piece.text)
}

export function splitMarkdownPieces(text: string, options: SplitOptions): MarkdownPiece[] {
  return splitMarkdownState(text, options).pieces
}

/**
 * A split that a longer version of the same text can resume: the pieces, what each chunk
 * started in, and the options they were cut with. Opaque outside this file.
 */
export interface SplitState {
  readonly text: string
  readonly options: SplitOptions
  readonly pieces: MarkdownPiece[]
  readonly carries: readonly Carry[]
}

/**
 * Splits `text`; when `previous` split a prefix of it with the same options, every chunk but
 * its last is reused as it was (stability: a chunk followed by another never changes as the
 * text grows), so a streaming answer costs the work of its last chunk, not of the whole text.
 * The result is exactly what a split from scratch gives.
 */
export function splitMarkdownState(text: string, options: SplitOptions, previous?: SplitState): SplitState {
  const ctx = createContext(text, options)
  if (ctx.contentEnd === 0) return { text, options, pieces: [], carries: [] }
  let pieces: MarkdownPiece[] = []
  let carries: Carry[] = []
  let pos = 0
  let carry = START
  const resumable =
    previous !== undefined &&
    previous.pieces.length > 1 &&
    previous.options.limit === options.limit &&
    previous.options.soft === options.soft &&
    text.startsWith(previous.text)
  if (resumable) {
    const keep = previous.pieces.length - 1
    pieces = previous.pieces.slice(0, keep)
    carries = previous.carries.slice(0, keep)
    pos = previous.pieces[keep]!.start
    carry = previous.carries[keep]!
  } else if (firstContent(text) > ctx.keepIndent && planChunk(ctx, 0, START, false) === null) {
    // Long leading whitespace is dropped like a separator, unless the text fits as it is.
    pos = skipSeparator(ctx, 0)
  }
  for (;;) {
    const plan = planChunk(ctx, pos, carry, true)!
    pieces.push(toPiece(ctx, pos, carry, plan, pieces.length === 0 ? text.slice(0, pos) : ""))
    carries.push(carry)
    if (plan.next === null) return { text, options, pieces, carries }
    pos = plan.next
    carry = plan.carry
  }
}

function createContext(text: string, { limit, soft }: SplitOptions): Context {
  if (!Number.isInteger(limit) || limit < MIN_SPLIT_LIMIT) {
    throw new RangeError(
      `splitMarkdown: limit must be an integer of at least ${MIN_SPLIT_LIMIT} (room for a fence ` +
        `opener, its closer and some text), got ${limit}`,
    )
  }
  if (soft !== undefined && !(soft > 0 && soft < limit)) {
    throw new RangeError(`splitMarkdown: soft must be above 0 and below limit (${limit}), got ${soft}`)
  }
  let contentEnd = text.length
  while (contentEnd > 0 && isWhitespace(text.charCodeAt(contentEnd - 1))) contentEnd--
  // Trailing whitespace can belong to the last grapheme (after a prepended mark): keep it whole.
  if (!breaksAt(text, contentEnd)) contentEnd = graphemeEnd(text, contentEnd)
  return { text, limit, soft, newlines: new NewlineIndex(text), contentEnd, keepIndent: Math.floor(limit / 4) }
}

/** The chunk starting at `pos`; with `mayCut` false, null when it would need a limit cut. */
function planChunk(ctx: Context, pos: number, carry: Carry, mayCut: boolean): Plan | null {
  const prefix = reopenText(ctx, carry).length
  const room = ctx.limit - prefix
  const visibleEnd = Math.min(ctx.text.length, pos + room + 1)
  const window: ChunkWindow = {
    text: ctx.text,
    pos,
    room,
    visibleEnd,
    lines: scanLines(ctx.text, ctx.newlines, pos, visibleEnd, carry, carry.midRow),
    closerLength: (fence) => closerLength(ctx, fence),
  }
  const breaks = lineBreaks(window)
  const soft = ctx.soft === undefined ? undefined : breaks.find((cut) =>
    cut.rank === PARAGRAPH && prefix + cut.end - pos >= ctx.soft! && cut.end < ctx.contentEnd)
  if (soft) return cutAt(ctx, soft)
  const whole = wholeRest(ctx, window.lines, pos, room)
  if (whole || !mayCut) return whole
  return cutAt(ctx, bestCut(window, breaks))
}

/**
 * The rest of the text as the last chunk, if it fits. Trailing whitespace is dropped when
 * only that makes it fit. A fence the stream left open gets its shortest completion, so a
 * longer text can never fit where a shorter one did not (stability).
 */
function wholeRest(ctx: Context, lines: ScannedLine[], pos: number, room: number): Plan | null {
  const { text, contentEnd } = ctx
  if (contentEnd - pos > room) return null
  let end = contentEnd
  let closer = closerAtEnd(ctx, lines, contentEnd)
  if (end - pos + closer.length > room) return null
  if (text.length - pos <= room) {
    const fullCloser = closerAtEnd(ctx, lines, text.length)
    if (text.length - pos + fullCloser.length <= room) [end, closer] = [text.length, fullCloser]
  }
  return { end, closer, next: null, carry: START }
}

function closerAtEnd(ctx: Context, lines: ScannedLine[], end: number): string {
  const line = lines.findLast((candidate) => candidate.start <= end)!
  const afterNewline = line.newline && end > line.end
  const lastLine = ctx.text.slice(afterNewline ? line.end + 1 : line.start, end)
  const fence = afterNewline ? line.after.fence : fenceAfterLine(lastLine, line.before.fence)
  return fence && reopenLine(ctx, fence) !== null ? fenceCompletion(lastLine, fence) : ""
}

/** Turns a cut into a plan: closer, where the next chunk starts, and what it starts in. */
function cutAt(ctx: Context, cut: Cut): Plan {
  const { text } = ctx
  const fence = cut.fence && reopenLine(ctx, cut.fence) !== null ? cut.fence : null
  const closer = fence ? "\n" + fence.char.repeat(fence.size) : ""
  const next = isWhitespace(text.charCodeAt(cut.end)) ? skipSeparator(ctx, cut.end) : cut.end
  if (fence) return { end: cut.end, closer, next, carry: { fence, table: null, midRow: false } }
  const separator = text.slice(cut.end, next)
  const newlines = separator.split("\n").length - 1
  let table: TableHead | null = null
  if (newlines === 0 && cut.line.row) table = cut.line.after.table
  else if (newlines === 1 && startsTableRow(text, cut.end + separator.indexOf("\n") + 1)) table = cut.line.after.table
  if (table && headerText(table).length > ctx.limit / 3) table = null
  return { end: cut.end, closer, next, carry: { fence: null, table, midRow: table !== null && newlines === 0 } }
}

/**
 * End of the whitespace run at `from`. The indentation of the next line is kept (it is
 * meaningful in markdown) unless it is long; a character that glues to the preceding
 * whitespace (a combining mark) keeps one whitespace character with it.
 */
function skipSeparator(ctx: Context, from: number): number {
  const { text } = ctx
  let at = from
  let lastNewline = -1
  for (; at < text.length && isWhitespace(text.charCodeAt(at)); at++) {
    if (text.charCodeAt(at) === 10) lastNewline = at
  }
  if (lastNewline >= 0 && at - lastNewline - 1 <= ctx.keepIndent) return lastNewline + 1
  return breaksAt(text, at) ? at : at - 1
}

function toPiece(ctx: Context, pos: number, carry: Carry, plan: Plan, leading: string): MarkdownPiece {
  const reopenedFence = carry.fence ? reopenLine(ctx, carry.fence)! : ""
  const repeatedHeader = carry.table ? headerText(carry.table) : ""
  const body = ctx.text.slice(pos, plan.end)
  return {
    text: reopenedFence + repeatedHeader + body + plan.closer,
    body,
    start: pos,
    end: plan.end,
    reopenedFence,
    repeatedHeader,
    closingFence: plan.closer,
    separator: ctx.text.slice(plan.end, plan.next ?? ctx.text.length),
    leading,
  }
}

function reopenText(ctx: Context, carry: Carry): string {
  if (carry.fence) return reopenLine(ctx, carry.fence)!
  return carry.table ? headerText(carry.table) : ""
}

/**
 * The line that reopens `fence` in a continuation chunk, or null when the fence is too long
 * to close and reopen within half the limit. Such a fence (only possible with small limits)
 * is cut like plain text, unbalanced.
 */
function reopenLine(ctx: Context, fence: Fence): string | null {
  const budget = ctx.limit / 2 - (fence.size + 1)
  if (fence.opener.length + 1 <= budget) return fence.opener + "\n"
  const bare = bareOpener(fence) + "\n"
  return bare.length <= budget ? bare : null
}

function closerLength(ctx: Context, fence: Fence | null): number {
  return fence && reopenLine(ctx, fence) !== null ? fence.size + 1 : 0
}

function headerText(table: TableHead): string {
  return `${table.header}\n${table.delimiter}\n`
}

function firstContent(text: string): number {
  let at = 0
  while (at < text.length && isWhitespace(text.charCodeAt(at))) at++
  return at
}
