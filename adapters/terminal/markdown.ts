// Chat markdown as a terminal shows it. The core sends command replies, notices and the agent's
// own text as markdown; a terminal has no renderer, so `**Session**` would print as typed. On a
// TTY emphasis becomes ANSI styles (bold, italic, dim code, strike); elsewhere (a pipe, a log)
// the markers go and the words stay. Lists keep their bullets, code keeps its characters:
// nothing inside a code span, a fenced block or an indented block (tool output) is touched.

const STYLE = {
  bold: ["\x1b[1m", "\x1b[22m"],
  italic: ["\x1b[3m", "\x1b[23m"],
  dim: ["\x1b[2m", "\x1b[22m"],
  strike: ["\x1b[9m", "\x1b[29m"],
} as const

type Style = keyof typeof STYLE

/** Private-use characters around the index of a protected piece (code span, escape). */
const OPEN = "\ue000"
const CLOSE = "\ue001"
const HELD = new RegExp(`${OPEN}(\\d+)${CLOSE}`, "g")

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/
const INDENTED = /^(?: {4}|\t)/
const HEADING = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/
const RULE = /^ {0,3}([-*_])(?: *\1){2,} *$/
const QUOTE = /^ {0,3}> ?(.*)$/
const BULLET = /^(\s*)[-*+]\s+(.*)$/

export function renderMarkdown(text: string, tty: boolean): string {
  const style = (s: Style, inner: string) => (tty ? `${STYLE[s][0]}${inner}${STYLE[s][1]}` : inner)
  const out: string[] = []
  let fence: { char: string; length: number } | undefined
  for (const line of text.split("\n")) {
    if (fence) {
      const close = FENCE.exec(line)
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length && close[2]!.trim() === "") fence = undefined
      else out.push(`    ${line}`)
      continue
    }
    const open = FENCE.exec(line)
    if (open && !(open[1]![0] === "`" && open[2]!.includes("`"))) {
      fence = { char: open[1]![0]!, length: open[1]!.length }
      continue
    }
    if (INDENTED.test(line)) {
      out.push(line)
      continue
    }
    if (RULE.test(line)) {
      out.push(tty ? style("dim", "─".repeat(40)) : "─".repeat(40))
      continue
    }
    const heading = HEADING.exec(line)
    if (heading) {
      out.push(style("bold", inline(heading[1]!, tty)))
      continue
    }
    const quote = QUOTE.exec(line)
    if (quote) {
      out.push(`│ ${inline(quote[1]!, tty)}`)
      continue
    }
    const bullet = BULLET.exec(line)
    if (bullet) {
      out.push(`${bullet[1]}• ${inline(bullet[2]!, tty)}`)
      continue
    }
    out.push(inline(line, tty))
  }
  return out.join("\n")
}

/** Emphasis, code spans, links and escapes within one line. */
export function inline(line: string, tty: boolean): string {
  const style = (s: Style, inner: string) => (tty ? `${STYLE[s][0]}${inner}${STYLE[s][1]}` : inner)
  const held: string[] = []
  const hold = (shown: string) => `${OPEN}${held.push(shown) - 1}${CLOSE}`
  let s = line.replace(/[\ue000\ue001]/g, "")
  // Code spans: a run of backticks up to the next run of the same length (CommonMark).
  s = s.replace(/(?<!`)(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (_m, _ticks: string, body: string) => {
    const trimmed = body.length > 2 && body.startsWith(" ") && body.endsWith(" ") && body.trim() ? body.slice(1, -1) : body
    return hold(tty ? style("dim", trimmed) : trimmed)
  })
  // Backslash escapes: the character itself, safe from the rules below.
  s = s.replace(/\\([!-/:-@[-`{-~])/g, (_m, ch: string) => hold(ch))
  // Links: the text, and where it points when that differs.
  s = s.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) => (label === url ? url : `${label} (${url})`))
  s = s.replace(/<(https?:\/\/[^>\s]+)>/g, "$1")
  s = s.replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, (_m, inner: string) => style("bold", inner))
  s = s.replace(/(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)/g, (_m, inner: string) => style("bold", inner))
  s = s.replace(/~~(?=\S)(.+?)(?<=\S)~~/g, (m, inner: string) => (tty ? style("strike", inner) : m))
  s = s.replace(/(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])/g, (_m, inner: string) => style("italic", inner))
  s = s.replace(/(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)/g, (_m, inner: string) => style("italic", inner))
  // Restore what was held (a held piece may hold none itself: escapes and spans are leaves).
  return s.replace(HELD, (_m, i: string) => held[Number(i)] ?? "")
}
