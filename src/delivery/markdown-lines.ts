// Line-level markdown facts the chat splitter needs: CommonMark fenced code blocks and GFM
// table heads. Container blocks (lists, block quotes) are deliberately ignored: a fence is any
// line indented by at most three spaces, which is what chat renderers do with top-level
// answers and what keeps the scan a single forward pass. Lines end at "\n"; a "\r" right
// before it belongs to the line ending (CRLF input).

export type FenceChar = "`" | "~"

/** An open fenced code block. */
export interface Fence {
  readonly char: FenceChar
  /** Marker length: only a run of at least this many `char`s closes the block. */
  readonly size: number
  /** The opener line as written (indent, marker, info string), trailing whitespace trimmed. */
  readonly opener: string
}

/** The table a position is inside: the two lines a continuation chunk repeats. */
export interface TableHead {
  readonly header: string
  readonly delimiter: string
}

export interface BlockState {
  readonly fence: Fence | null
  readonly table: TableHead | null
}

export interface ScannedLine {
  readonly start: number
  /** Index of the terminating "\n", or the scan limit when none was seen before it. */
  readonly end: number
  /** Whether `end` is a visible "\n" (the line is complete). */
  readonly newline: boolean
  /** First and one-past-last non-whitespace index in [start, end). */
  readonly first: number
  readonly last: number
  readonly blank: boolean
  /** Starts like a fence (≤3 spaces, then ``` or ~~~), whatever the state it is read in. */
  readonly fenceLike: boolean
  readonly before: BlockState
  readonly after: BlockState
  /** A table body row (or the continuation of a row split mid-line). */
  readonly row: boolean
  /** A table header: set once the next line proves to be its delimiter row. */
  header: boolean
}

const FENCE_START = /^( {0,3})(`{3,}|~{3,})([^]*)$/
const FENCE_LIKE = /^ {0,3}(?:```|~~~)/
/** One delimiter cell, already trimmed: dashes with optional alignment colons. */
const DELIMITER_CELL = /^:?-+:?$/
const ROW_START = /^ {0,3}\|/

/** JavaScript's `\s`, by code unit, so scans need no per-character regex or substring. */
export function isWhitespace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13)
  if (code < 0xa0) return false
  return code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f ||
    code === 0x3000 || code === 0xfeff
}

function withoutCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line
}

/**
 * The fence state after `line` (without its "\n"), given the state before it. Works on a
 * partial line too, which is how a chunk ending mid-line is read by whoever renders it.
 */
export function fenceAfterLine(line: string, open: Fence | null): Fence | null {
  const match = FENCE_START.exec(withoutCr(line))
  if (!match) return open
  const marker = match[2]!
  const rest = match[3]!
  const char = marker[0] as FenceChar
  if (open) {
    const closes = char === open.char && marker.length >= open.size && /^[ \t]*$/.test(rest)
    return closes ? null : open
  }
  if (char === "`" && rest.includes("`")) return null // backtick info strings cannot hold backticks
  return { char, size: marker.length, opener: withoutCr(line).trimEnd() }
}

/**
 * The shortest text that closes `fence` after a chunk whose last line is `lastLine`. When the
 * line is already the start of a closer (a streamed "``", or nothing after a newline) we
 * finish it instead of adding a line: that never costs more than what the real text needs to
 * close the block, which keeps "does the rest fit?" monotone as the text grows.
 */
export function fenceCompletion(lastLine: string, fence: Fence): string {
  const match = /^ {0,3}([`~]*)$/.exec(lastLine)
  const run = match?.[1]
  if (run !== undefined && run.length < fence.size && !run.includes(fence.char === "`" ? "~" : "`")) {
    return fence.char.repeat(fence.size - run.length)
  }
  return "\n" + fence.char.repeat(fence.size)
}

/** The opener line with only indentation and marker, for when the info string is too long. */
export function bareOpener(fence: Fence): string {
  const indent = fence.opener.length - fence.opener.trimStart().length
  return fence.opener.slice(0, indent + fence.size)
}

function cellCount(line: string): number {
  let cells = line.trim()
  if (cells.startsWith("|")) cells = cells.slice(1)
  if (cells.endsWith("|") && !cells.endsWith("\\|")) cells = cells.slice(0, -1)
  return cells.split(/(?<!\\)\|/).length
}

/**
 * Finds the next "\n", remembering the last answer: chunks overlap and re-read the same
 * lines, and a long line without newlines must not be searched to its end once per chunk.
 */
export class NewlineIndex {
  private readonly text: string
  private from = 0
  private found = -1

  constructor(text: string) {
    this.text = text
  }

  /** The first "\n" at or after `from`, or the text length. */
  next(from: number): number {
    if (from < this.from || from > this.found) {
      const at = this.text.indexOf("\n", from)
      this.from = from
      this.found = at === -1 ? this.text.length : at
    }
    return this.found
  }
}

/**
 * Reads the lines of text[from, to) as a chunk that starts at `from` in state `start`.
 * Everything is judged from the visible text only: a line cut by `to` is classified by
 * what is visible of it, and a table header needs its complete delimiter row. That is
 * what makes the splitter's choices independent of text beyond its window.
 * `rowContinues`: the chunk starts in the middle of a table row split mid-line.
 */
export function scanLines(
  text: string,
  newlines: NewlineIndex,
  from: number,
  to: number,
  start: BlockState,
  rowContinues: boolean,
): ScannedLine[] {
  const lines: ScannedLine[] = []
  let state = start
  for (let at = from; at < to;) {
    const nl = newlines.next(at)
    const newline = nl < to
    const end = newline ? nl : to
    let first = at
    while (first < end && isWhitespace(text.charCodeAt(first))) first++
    let last = end
    while (last > first && isWhitespace(text.charCodeAt(last - 1))) last--
    const blank = first === end
    const raw = blank ? "" : text.slice(at, end) // blank lines are common; skip the copy
    const fenceLike = !blank && FENCE_LIKE.test(raw)
    let { fence, table } = state
    let row = false
    if (fence || fenceLike) {
      fence = fenceAfterLine(raw, fence)
      table = null
    } else if (blank) {
      table = null
    } else if (table) {
      row = (rowContinues && lines.length === 0) || ROW_START.test(raw)
      if (!row) table = null
    } else if ((table = tableStartedBy(lines.at(-1), raw, newline, text))) {
      lines.at(-1)!.header = true
    }
    const before = state
    if (fence !== state.fence || table !== state.table) state = { fence, table }
    lines.push({ start: at, end, newline, first, last, blank, fenceLike, before, after: state, row, header: false })
    if (!newline) break
    at = end + 1
  }
  return lines
}

/** The table a complete delimiter row `raw` opens under the previous line, if any. */
function tableStartedBy(
  previous: ScannedLine | undefined,
  raw: string,
  complete: boolean,
  text: string,
): TableHead | null {
  if (!complete || !previous || previous.blank || previous.fenceLike) return null
  if (previous.after.fence || previous.after.table) return null
  const delimiter = withoutCr(raw).trimEnd()
  const header = text.slice(previous.start, previous.end).trimEnd()
  if (!header.includes("|") || !delimiter.includes("|") || !isDelimiterRow(delimiter)) return null
  if (/^ {4}/.test(header) || cellCount(header) !== cellCount(delimiter)) return null
  return { header, delimiter }
}

/**
 * A GFM delimiter row (`| --- | :-: |`), checked cell by cell. A single regex for the whole
 * row backtracks quadratically on long runs of spaces (a hostile 40k-space row took half a
 * second); splitting and testing each trimmed cell is linear.
 */
export function isDelimiterRow(line: string): boolean {
  let row = line.trimEnd()
  const indent = row.length - row.trimStart().length
  if (indent > 3) return false
  row = row.trimStart()
  if (row.startsWith("|")) row = row.slice(1)
  if (row.endsWith("|")) row = row.slice(0, -1)
  const cells = row.split("|")
  return cells.length > 0 && cells.every((cell) => DELIMITER_CELL.test(cell.replace(/^[ \t]+/, "").trimEnd()))
}

/** Whether the line starting at `at` looks like a table body row. */
export function startsTableRow(text: string, at: number): boolean {
  return ROW_START.test(text.slice(at, at + 4))
}
