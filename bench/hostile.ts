// Layout of hostile markdown: a table whose second row is 40,000 spaces between a dash and
// text (so it nearly parses as a delimiter row), and a 20,000-character run of interior
// whitespace. Measured: the full render (blocks → text) plus split, the way a turn's layout
// runs, median of runs. Baseline in the same run: the single-regex delimiter check this
// project used before (quadratic on such rows), applied to the same line.
import { formatBlocks } from "../src/delivery/render/format.ts"
import { splitMarkdown } from "../src/delivery/split-markdown.ts"

const OLD_DELIMITER_ROW = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

export function runHostileBench(runs = 5): { tableMs: number; whitespaceMs: number; baselineRegexMs: number } {
  const row = `|-${" ".repeat(40_000)}x |`
  const table = `| a | b |\n${row}\n| c | d |\n`
  const whitespace = `word${" ".repeat(20_000)}word\n\nmore`
  const layout = (text: string) => {
    const t = performance.now()
    splitMarkdown(formatBlocks([{ kind: "text", key: "t", text, catchingUp: false }], "gfm"), { limit: 4_000 })
    return performance.now() - t
  }
  const baseline = () => {
    const t = performance.now()
    OLD_DELIMITER_ROW.test(row)
    return performance.now() - t
  }
  const runsOf = (fn: () => number) => median(Array.from({ length: runs }, fn))
  return { tableMs: runsOf(() => layout(table)), whitespaceMs: runsOf(() => layout(whitespace)), baselineRegexMs: runsOf(baseline) }
}
