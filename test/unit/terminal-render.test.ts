// The terminal shows chat markdown rendered: ANSI styles on a TTY, plain words elsewhere; code
// (spans, fenced and indented blocks) keeps its characters, lists keep their bullets.
import { describe, expect, it } from "vitest"
import { inline, renderMarkdown } from "../../adapters/terminal/markdown.ts"
import { Screen } from "../../adapters/terminal/screen.ts"

const B = (s: string) => `\x1b[1m${s}\x1b[22m`
const D = (s: string) => `\x1b[2m${s}\x1b[22m`
const I = (s: string) => `\x1b[3m${s}\x1b[23m`

describe("terminal markdown", () => {
  const status = "**Session** `ses_1` — fix it\n**Model** `fake/model` · **Queued** 0"

  it("bold becomes ANSI bold on a TTY and inline code dim", () => {
    expect(renderMarkdown(status, true)).toBe(`${B("Session")} ${D("ses_1")} — fix it\n${B("Model")} ${D("fake/model")} · ${B("Queued")} 0`)
  })

  it("without a TTY the markers go and the words stay", () => {
    expect(renderMarkdown(status, false)).toBe("Session ses_1 — fix it\nModel fake/model · Queued 0")
    expect(renderMarkdown("_Stopped._ and *this* and __that__", false)).toBe("Stopped. and this and that")
  })

  it("lists keep their bullets, nested and numbered", () => {
    expect(renderMarkdown("- `/new [first message]` — start\n  * **nested**\n1. first", false)).toBe("• /new [first message] — start\n  • nested\n1. first")
    expect(renderMarkdown("- [x] done", false)).toBe("• [x] done")
  })

  it("leaves code alone: spans, fenced blocks (indented, fences dropped), indented blocks", () => {
    expect(inline("run `a **b** _c_` now", false)).toBe("run a **b** _c_ now")
    expect(inline("``x ` y``", false)).toBe("x ` y")
    expect(renderMarkdown("before\n```ts\nconst x = **y**\n```\nafter **z**", false)).toBe("before\n    const x = **y**\nafter z")
    expect(renderMarkdown("$ ls\n    a **b** c_d_e", false)).toBe("$ ls\n    a **b** c_d_e")
  })

  it("does not take snake_case, globs or lone stars for emphasis", () => {
    for (const text of ["snake_case_name", "src/**/*.ts", "rm *.log *.tmp", "2 * 3 * 4", "a**b"]) expect(inline(text, true)).toBe(text)
  })

  it("headings, quotes, links, escapes and rules", () => {
    expect(renderMarkdown("## Plan", true)).toBe(B("Plan"))
    expect(renderMarkdown("> note *this*", true)).toBe(`│ note ${I("this")}`)
    expect(inline("[docs](https://x.example/d) and <https://y.example>", false)).toBe("docs (https://x.example/d) and https://y.example")
    expect(inline("\\*not\\* emphasis", false)).toBe("*not* emphasis")
    expect(renderMarkdown("---", false)).toBe("─".repeat(40))
  })

  it("strikethrough keeps its markers where no style can show it", () => {
    expect(inline("~~gone~~", false)).toBe("~~gone~~")
    expect(inline("~~gone~~", true)).toBe("\x1b[9mgone\x1b[29m")
  })
})

describe("the terminal screen renders what it prints", () => {
  const screen = (isTTY: boolean) => {
    let written = ""
    const s = new Screen({ write: (t) => (written += t), columns: 80, isTTY })
    return { s, written: () => written }
  }

  it("posts and edits show rendered text", () => {
    const { s, written } = screen(false)
    s.post("m1", { text: "**Session** `ses_1`" })
    expect(written()).toBe("\nSession ses_1\n")
    s.edit("m1", { text: "**Session** `ses_1`\n**Queued** 2" })
    expect(written()).toBe("\nSession ses_1\n\nQueued 2\n")
  })

  it("on a TTY bold is bold; the choice line stays as it was", () => {
    const { s, written } = screen(true)
    s.post("m1", { text: "**Allow** `npm test`?", actions: [{ id: "a", label: "Allow once" }] })
    expect(written()).toBe(`\n${B("Allow")} ${D("npm test")}?\n${D("[1] Allow once   — press a number")}\n`)
  })

  it("notes (private answers) drop the markers inside their dim line", () => {
    const { s, written } = screen(true)
    s.note("ℹ Unknown command `/frobnicate`. Try `/help`.")
    expect(written()).toBe(`${D("ℹ Unknown command /frobnicate. Try /help.")}\n`)
  })
})
