// Delivery's GFM → what Slack's `markdown` block shows well. The block takes standard markdown
// (bold, italics, links, lists, quotes, headings, fenced code) as it is, so almost everything
// passes through untouched. The exception is tables: the block has no table rendering (it
// shows the pipes as text, docs/slack.md "Formatting"), and a table block is a different
// layout with its own limits. So a GFM table becomes a fenced code block with its columns
// padded to line up in the monospace font: every reader sees aligned rows, and the text stays
// copyable. If padding would push the message past Slack's markdown cap, the table is fenced
// unpadded, and past even that it is left as it was (delivery never sends more than the cap
// minus a margin, so the message itself always fits).
import { LIMITS } from "./limits.ts"

const FENCE = /^ {0,3}(`{3,}|~{3,})/
const DELIMITER = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/

/** The cells of a table row (`| a | b |` or `a | b`), escaped pipes kept as text. */
export function cells(line: string): string[] {
  let s = line.trim()
  if (s.startsWith("|")) s = s.slice(1)
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1)
  const out: string[] = []
  let cur = ""
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    if (ch === "\\" && s[i + 1] === "|") {
      cur += "|"
      i++
    } else if (ch === "|") {
      out.push(cur.trim())
      cur = ""
    } else cur += ch
  }
  out.push(cur.trim())
  return out
}

/** Inline markers that a code block would show literally: `**x**`, `__x__`, `` `x` ``. */
const plain = (cell: string) => cell.replace(/\*\*(.+?)\*\*/g, "$1").replace(/__(.+?)__/g, "$1").replace(/`([^`]*)`/g, "$1")

function render(rows: string[][], pad: boolean): string {
  const n = Math.max(...rows.map((r) => r.length))
  const widths = Array.from({ length: n }, (_, i) => Math.max(3, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (r: string[]) =>
    Array.from({ length: n }, (_, i) => (pad ? (r[i] ?? "").padEnd(widths[i]!) : (r[i] ?? "")))
      .join(" | ")
      .trimEnd()
  const rule = pad ? widths.map((w) => "-".repeat(w)).join("-+-") : "---"
  const [head = [], ...rest] = rows
  return ["```", line(head), rule, ...rest.map(line), "```"].join("\n")
}

interface Table {
  start: number
  end: number
  rows: string[][]
}

/** GFM tables outside fenced code: a header row, its delimiter row, then rows until a blank or pipe-less line. */
function findTables(lines: string[]): Table[] {
  const tables: Table[] = []
  let fence: { char: string; size: number } | null = null
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const marker = FENCE.exec(line)?.[1]
    if (fence) {
      if (marker && marker[0] === fence.char && marker.length >= fence.size) fence = null
      continue
    }
    if (marker) {
      fence = { char: marker[0]!, size: marker.length }
      continue
    }
    const next = lines[i + 1]
    if (!line.includes("|") || next === undefined || !DELIMITER.test(next) || !next.includes("-")) continue
    const header = cells(line)
    if (header.length !== cells(next).length) continue
    let end = i + 2
    while (end < lines.length && lines[end]!.includes("|") && lines[end]!.trim() !== "") end++
    tables.push({ start: i, end, rows: [header, ...lines.slice(i + 2, end).map(cells)].map((r) => r.map(plain)) })
    i = end - 1
  }
  return tables
}

function rewrite(lines: string[], tables: Table[], pad: boolean): string {
  const out: string[] = []
  let at = 0
  for (const t of tables) {
    out.push(...lines.slice(at, t.start), render(t.rows, pad))
    at = t.end
  }
  out.push(...lines.slice(at))
  return out.join("\n")
}

/** GFM as the markdown block should get it (tables fenced, see the header). */
export function toSlackMarkdown(gfm: string): string {
  if (!gfm.includes("|")) return gfm
  const lines = gfm.split("\n")
  const tables = findTables(lines)
  if (tables.length === 0) return gfm
  const padded = rewrite(lines, tables, true)
  if (padded.length <= LIMITS.markdownBlockChars) return padded
  const fenced = rewrite(lines, tables, false)
  return fenced.length <= LIMITS.markdownBlockChars ? fenced : gfm
}
