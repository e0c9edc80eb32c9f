// Blocks → text in a platform's markdown dialect. Tool lines stack tightly; everything else is
// separated by a blank line.
import type { MarkdownDialect } from "../../chat/types.ts"
import type { Block, TodoItem, ToolStatus } from "./blocks.ts"

const ICON: Record<ToolStatus, string> = { pending: "⏳", running: "⏳", done: "✅", failed: "❌" }

export function formatTokens(n: number): string {
  if (n < 1_000) return String(n)
  if (n < 1_000_000) return `${(n / 1_000).toFixed(n < 10_000 ? 1 : 0)}k`
  return `${(n / 1_000_000).toFixed(1)}M`
}

export function formatCost(usd: number): string {
  if (usd >= 0.01) return `$${usd.toFixed(2)}`
  return `$${usd.toPrecision(2)}`
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const m = Math.floor(ms / 60_000)
  const s = Math.round((ms % 60_000) / 1000)
  return `${m}m ${String(s).padStart(2, "0")}s`
}

/** Inline code that survives backticks inside. */
export function inlineCode(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length))
  const fence = "`".repeat(longest + 1)
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : ""
  return `${fence}${pad}${text}${pad}${fence}`
}

/** A fenced code block that survives backtick runs inside (the fence is longer than any). */
export function fenced(text: string, lang = ""): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`{3,}/g), (m) => m[0].length))
  const fence = "`".repeat(longest + 1)
  return `${fence}${lang}\n${text}\n${fence}`
}

function todoLine(item: TodoItem, dialect: MarkdownDialect): string {
  const done = item.status === "completed" || item.status === "cancelled"
  if (dialect === "terminal") {
    const mark = item.status === "completed" ? "[x]" : item.status === "in_progress" ? "[>]" : item.status === "cancelled" ? "[-]" : "[ ]"
    return `  ${mark} ${item.text}`
  }
  const text = item.status === "cancelled" ? `~~${item.text}~~` : item.status === "in_progress" ? `**${item.text}** (in progress)` : item.text
  return `- [${done ? "x" : " "}] ${text}`
}

export function footerText(b: Extract<Block, { kind: "footer" }>): string {
  const bits = [b.model || "model"]
  if (b.durationMs !== undefined) bits.push(formatDuration(b.durationMs))
  if (b.tokens > 0) bits.push(`${formatTokens(b.tokens)} tokens`)
  if (b.cost > 0) bits.push(formatCost(b.cost))
  return bits.join(" · ")
}

function formatBlock(b: Block, dialect: MarkdownDialect): string {
  const md = dialect !== "terminal"
  switch (b.kind) {
    case "text": {
      const text = b.text.trimEnd() // linear, unlike /\s+$/ on long interior runs
      if (!b.catchingUp) return text
      const note = "Reconnected: the rest of this part appears when it is complete."
      return `${text}…\n\n${md ? `_${note}_` : `(${note})`}`
    }
    case "reasoning":
      return md ? `> 💭 ${b.text}` : `  (thinking) ${b.text}`
    case "tool": {
      const title = md ? inlineCode(b.title) : b.title
      let line = `${ICON[b.status]} ${title}${b.suffix ? ` ${b.suffix}` : ""}${b.error ? ` — ${b.error}` : ""}`
      if (b.output) line += `\n${md ? fenced(b.output) : b.output.replace(/^/gm, "    ")}`
      return line
    }
    case "todos":
      return `${md ? "**Todo**" : "Todo:"}\n${b.items.map((i) => todoLine(i, dialect)).join("\n")}`
    case "notice": {
      if (b.tone === "warning") return `⚠️ ${b.text}`
      if (b.tone === "error") return `❌ ${b.text}`
      return md ? `_${b.text}_` : b.text
    }
    case "footer":
      return md ? `_${footerText(b)}_` : `— ${footerText(b)}`
  }
}

export function formatBlocks(blocks: Block[], dialect: MarkdownDialect): string {
  let out = ""
  let prev: Block | undefined
  for (const b of blocks) {
    const text = formatBlock(b, dialect)
    if (text.length === 0) continue
    if (prev) out += prev.kind === "tool" && b.kind === "tool" && !prev.output ? "\n" : "\n\n"
    out += text
    prev = b
  }
  return out
}
