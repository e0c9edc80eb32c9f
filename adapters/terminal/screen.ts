// Prints chat messages to a terminal. The newest message is a live region: on a TTY its edits
// redraw it in place; edits to older messages print only the lines that changed (marked ↻),
// so scrollback stays a readable log. Without a TTY everything is append-only. Message text is
// markdown, shown rendered (markdown.ts).
import type { OutMessage } from "../../src/chat/types.ts"
import { renderMarkdown } from "./markdown.ts"

const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1faff}\u{2600}-\u{27bf}\u{2b00}-\u{2bff}]/u

/** Columns a line takes on screen (emoji and CJK count double). */
export function displayWidth(line: string): number {
  let w = 0
  for (const ch of line.replace(/\x1b\[[0-9;]*m/g, "")) {
    if (ch === "\u200d" || ch === "\ufe0f") continue
    w += WIDE.test(ch) ? 2 : 1
  }
  return w
}

export interface ScreenOutput {
  write(text: string): void
  readonly columns: number
  readonly isTTY: boolean
}

interface Shown {
  text: string
  rows: number
}

const DIM = (s: string, tty: boolean) => (tty ? `\x1b[2m${s}\x1b[22m` : s)

export function actionLine(message: OutMessage): string | undefined {
  const choices = [
    ...(message.actions ?? []).map((a) => a.label),
    ...(message.select?.options ?? []).map((o) => o.label),
  ]
  if (choices.length === 0) return undefined
  return `${choices.map((c, i) => `[${i + 1}] ${c}`).join("   ")}   — press a number`
}

export class Screen {
  private readonly out: ScreenOutput
  private readonly shown = new Map<string, Shown>()
  private last: string | undefined

  constructor(out: ScreenOutput) {
    this.out = out
  }

  private rows(text: string): number {
    const cols = Math.max(20, this.out.columns || 80)
    return text.split("\n").reduce((n, line) => n + Math.max(1, Math.ceil(displayWidth(line) / cols)), 0)
  }

  private render(message: OutMessage): string {
    const text = renderMarkdown(message.text, this.out.isTTY)
    const keys = actionLine(message)
    return keys ? `${text}\n${DIM(keys, this.out.isTTY)}` : text
  }

  post(ref: string, message: OutMessage): void {
    const text = this.render(message)
    this.out.write(`\n${text}\n`)
    this.shown.set(ref, { text, rows: this.rows(text) + 1 })
    this.last = ref
  }

  edit(ref: string, message: OutMessage): void {
    const before = this.shown.get(ref)
    const text = this.render(message)
    if (!before) return this.post(ref, message)
    if (before.text === text) return
    if (this.out.isTTY && ref === this.last) {
      // Up to the start of the live region, clear below, draw it again.
      this.out.write(`\x1b[${before.rows}F\x1b[0J\n${text}\n`)
      this.shown.set(ref, { text, rows: this.rows(text) + 1 })
      return
    }
    if (text.startsWith(before.text) && ref === this.last) {
      this.out.write(`${text.slice(before.text.length)}\n`)
    } else {
      const old = new Set(before.text.split("\n"))
      const changed = text.split("\n").filter((l) => l.trim() && !old.has(l))
      if (changed.length > 0) this.out.write(`${changed.map((l) => `↻ ${l}`).join("\n")}\n`)
      this.last = undefined // the live region is no longer at the bottom
    }
    this.shown.set(ref, { text, rows: this.rows(text) + 1 })
  }

  /** A line of the terminal's own (or a private answer, markdown): dim, its markers dropped. */
  note(text: string): void {
    this.out.write(`${DIM(renderMarkdown(text, false), this.out.isTTY)}\n`)
    this.last = undefined
  }
}
