// Where a chunk may end and how good each place is. Ranks, best first: paragraph break, line
// break, line break inside a fence or table (costs a closer or a repeated header), between a
// table header and its delimiter, whitespace inside a line, grapheme boundary. The splitter
// takes the latest boundary of the best rank that fits. Every judgement uses only the window
// the lines were scanned from, so a longer text (a later stream state) judges alike.

import { fenceAfterLine, isWhitespace, type Fence, type ScannedLine } from "./markdown-lines.ts"

export const PARAGRAPH = 50
const LINE = 40
const INNER_LINE = 30
const TABLE_HEAD = 20
const WORD = 10
const GRAPHEME = 0
/** Penalty for a mid-line cut that would leave a fence-like line at a chunk's edge. */
const RISKY = 100
/** Last resort when a single grapheme is longer than the room left. */
const CODE_POINT = -1000

export interface Cut {
  /** End of the chunk's body. */
  readonly end: number
  readonly rank: number
  /** The line the cut ends or falls in. */
  readonly line: ScannedLine
  /** The fence open at `end`, as the chunk alone reads it. */
  readonly fence: Fence | null
}

/** A chunk's window: lines scanned from `pos` up to `visibleEnd` (room plus one character). */
export interface ChunkWindow {
  readonly text: string
  readonly pos: number
  /** Code units for the body and closer: the limit minus any reopened prefix. */
  readonly room: number
  readonly visibleEnd: number
  readonly lines: ScannedLine[]
  /** What a cut inside `fence` must reserve for its closer (0 if it is not closed and reopened). */
  closerLength(fence: Fence | null): number
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" })

/** Cuts at the end of complete, non-blank lines that fit, in text order. */
export function lineBreaks(window: ChunkWindow): Cut[] {
  const { text, pos, room, lines } = window
  const cuts: Cut[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.last - pos > room) break
    // Cutting right after a fence opener would send an empty code block.
    if (!line.newline || line.blank || (line.after.fence && !line.before.fence)) continue
    const fence = line.after.fence
    if (line.last - pos + window.closerLength(fence) > room || !breaksAt(text, line.last)) continue
    let next = i + 1
    while (lines[next]?.blank && lines[next]!.newline) next++
    cuts.push({ end: line.last, line, fence, rank: lineRank(line, next > i + 1, lines[next]) })
  }
  return cuts
}

function lineRank(line: ScannedLine, blankAfter: boolean, next: ScannedLine | undefined): number {
  if (line.after.fence) return INNER_LINE
  if (blankAfter) return PARAGRAPH
  if (line.header) return TABLE_HEAD
  if (line.after.table && next?.row) return INNER_LINE
  return LINE
}

/** The best cut; finer boundaries are only searched for when coarser ones are missing. */
export function bestCut(window: ChunkWindow, breaks: Cut[]): Cut {
  const line = breaks.reduce<Cut | null>(better, null)
  if (line) return line
  const word = wordBreak(window)
  if (word?.rank === WORD) return word
  return better(word, graphemeBreak(window)) ?? codePointBreak(window)
}

function better(a: Cut | null, b: Cut | null): Cut | null {
  if (!a || !b) return a ?? b
  return b.rank > a.rank || (b.rank === a.rank && b.end > a.end) ? b : a
}

/** The latest whitespace run inside a line that fits. */
function wordBreak(window: ChunkWindow): Cut | null {
  const { text, pos, room, visibleEnd } = window
  let best: Cut | null = null
  for (const line of window.lines) {
    // In a complete line the trailing run is a line break; in the line cut by the window it is a word break.
    const stop = line.newline ? line.last : line.end
    for (let end = line.first + 1; end < stop && end - pos <= room; end++) {
      if (!isWhitespace(text.charCodeAt(end))) continue
      let after = end
      while (after < stop && isWhitespace(text.charCodeAt(after))) after++
      const fence = fenceAtCut(text, line, end)
      if (end - pos + window.closerLength(fence) <= room && breaksAt(text, end)) {
        // Only the character right after the run is judged: one more would be outside the window.
        const risky = line.fenceLike || (after < visibleEnd && isFenceChar(text.charCodeAt(after)))
        best = better(best, { end, line, fence, rank: WORD - (risky ? RISKY : 0) })
      }
      end = after
    }
  }
  return best
}

/** The latest grapheme boundary between two non-whitespace characters that fits. */
function graphemeBreak(window: ChunkWindow): Cut | null {
  const { text, pos, room, lines } = window
  let best: Cut | null = null
  for (let i = lines.length - 1; i >= 0 && best?.rank !== GRAPHEME; i--) {
    const line = lines[i]!
    const reserve = line.fenceLike ? 0 : window.closerLength(line.before.fence)
    const high = Math.min(line.last - 1, pos + room - reserve)
    if (high <= line.first) continue
    // A line start is a true boundary, so segmenting from it matches segmenting the whole
    // text; the two extra code units let the segmenter see the code point at `high`. Walking
    // back with containing() only examines the graphemes near the end of the window.
    const segments = graphemes.segment(text.slice(line.start, high + 2))
    for (let end = high; end > line.first; end--) {
      end = line.start + segments.containing(end - line.start)!.index
      if (end <= line.first) break
      if (isWhitespace(text.charCodeAt(end - 1)) || isWhitespace(text.charCodeAt(end))) continue
      const fence = fenceAtCut(text, line, end)
      if (end - pos + window.closerLength(fence) > room) continue
      const risky = line.fenceLike || isFenceChar(text.charCodeAt(end))
      best = better(best, { end, line, fence, rank: GRAPHEME - (risky ? RISKY : 0) })
      if (!risky) break
    }
  }
  return best
}

/** Cuts between code points, for a grapheme longer than the room (never a surrogate pair). */
function codePointBreak(window: ChunkWindow): Cut {
  const { text, pos, room, lines } = window
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!
    for (let end = Math.min(line.last, pos + room); end > line.first; end--) {
      if (isLowSurrogate(text.charCodeAt(end)) && isHighSurrogate(text.charCodeAt(end - 1))) continue
      const fence = fenceAtCut(text, line, end)
      if (end - pos + window.closerLength(fence) <= room) return { end, line, fence, rank: CODE_POINT }
    }
  }
  // Unreachable: a chunk starts at most limit/4 before its first content, with at least limit/2 room.
  throw new Error("splitMarkdown: no room for a single code point")
}

/** The fence open after cutting `line` at `end`: a cut inside a fence-like line reads partially. */
function fenceAtCut(text: string, line: ScannedLine, end: number): Fence | null {
  return line.fenceLike ? fenceAfterLine(text.slice(line.start, end), line.before.fence) : line.before.fence
}

/**
 * Whether a grapheme boundary lies at `at`, for positions next to whitespace: only pairwise
 * rules (CR LF, extending and prepended marks) join across whitespace, so the two code points
 * around `at` decide.
 */
export function breaksAt(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return true
  const before = text.charCodeAt(at - 1)
  const after = text.charCodeAt(at)
  if (before < 0x80 && after < 0x80) return !(before === 13 && after === 10)
  const from = isLowSurrogate(before) && at >= 2 ? at - 2 : at - 1
  const to = isHighSurrogate(after) ? at + 2 : at + 1
  return graphemes.segment(text.slice(from, to)).containing(0)!.segment.length === at - from
}

/** End of the grapheme containing `at`. */
export function graphemeEnd(text: string, at: number): number {
  const grapheme = graphemes.segment(text).containing(at)!
  return grapheme.index + grapheme.segment.length
}

function isFenceChar(code: number): boolean {
  return code === 96 || code === 126 // ` and ~
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}
