// Agent output must not ping a whole channel: each adapter names its platform's broadcast
// syntax (`@channel`, `@all`, `@here`, `<!channel>` …) and a replacement of the same length
// that reads alike but pings nobody. Code blocks and inline code are left as they are
// (platforms do not ping from code, and code must stay copyable). Linear in the text.

const FENCE = /^ {0,3}(`{3,}|~{3,})/

/** Applies `replace` to every match of `pattern` (global) outside fenced and inline code. */
export function neutralize(text: string, pattern: RegExp, replace: (match: string) => string): string {
  if (!pattern.global) throw new Error("neutralize: the pattern must be global")
  if (!pattern.test(text)) return text
  pattern.lastIndex = 0
  let fence: { char: string; size: number } | null = null
  const out: string[] = []
  for (const line of text.split("\n")) {
    const marker = FENCE.exec(line)?.[1]
    if (fence) {
      if (marker && marker[0] === fence.char && marker.length >= fence.size && line.slice(line.indexOf(marker) + marker.length).trim() === "") fence = null
      out.push(line)
      continue
    }
    if (marker) {
      fence = { char: marker[0]!, size: marker.length }
      out.push(line)
      continue
    }
    out.push(outsideInlineCode(line, (prose) => prose.replace(pattern, replace)))
  }
  return out.join("\n")
}

/** Runs `fn` on the parts of a line that are not inline code spans. */
function outsideInlineCode(line: string, fn: (prose: string) => string): string {
  if (!line.includes("`")) return fn(line)
  let out = ""
  let at = 0
  while (at < line.length) {
    const open = line.indexOf("`", at)
    if (open < 0) break
    let run = open
    while (line[run] === "`") run++
    const ticks = run - open
    // The closing run: exactly as many backticks, not part of a longer run.
    let close = -1
    for (let i = line.indexOf("`", run); i >= 0; i = line.indexOf("`", i)) {
      let j = i
      while (line[j] === "`") j++
      if (j - i === ticks) {
        close = i
        break
      }
      i = j
    }
    if (close < 0) break
    out += fn(line.slice(at, open)) + line.slice(open, close + ticks)
    at = close + ticks
  }
  return out + fn(line.slice(at))
}
