// Rendering a turn: recorded streams → blocks → markdown, per verbosity and dialect.
import { describe, expect, it } from "vitest"
import { Store } from "../../src/core/store/store.ts"
import type { SessionState } from "../../src/core/store/types.ts"
import type { Verbosity } from "../../src/delivery/render/blocks.ts"
import { formatBlocks, formatCost, formatDuration, formatTokens, inlineCode } from "../../src/delivery/render/format.ts"
import { toolTitle } from "../../src/delivery/render/tool-title.ts"
import { turnBlocks } from "../../src/delivery/render/turn-blocks.ts"
import type { ToolPart } from "../../src/runtime/events.ts"
import { loadFixture } from "../harness/fixtures.ts"

function replayed(name: string): SessionState {
  const store = new Store()
  store.applyBatch(loadFixture(name).events)
  return [...store.sessions()].find((s) => s.messages.some((m) => m.info.role === "assistant"))!
}

function lastTurn(s: SessionState) {
  const userIndex = s.messages.map((m) => m.info.role).lastIndexOf("user")
  return { user: s.messages[userIndex]!, answers: s.messages.slice(userIndex + 1) }
}

function render(name: string, verbosity: Verbosity, dialect: "gfm" | "terminal" = "gfm") {
  const s = replayed(name)
  const { user, answers } = lastTurn(s)
  const blocks = turnBlocks({ session: s, messages: answers, startedAt: user.info.time.created, ended: true, verbosity })
  return formatBlocks(blocks, dialect)
}

describe("turn rendering", () => {
  it("tools, todos and the footer at the essential verbosity", () => {
    const out = render("todos-and-tools", "essential").replace(/_fake-model · .*_$/, "_fake-model · FOOTER_")
    expect(out).toBe(
      [
        "**Todo**",
        "- [x] Read the code",
        "- [ ] **Fix the bug** (in progress)",
        "- [ ] Run the tests",
        "",
        "✅ `$ echo tests pass`",
        "",
        "All done: the bug is fixed and the tests pass.",
        "",
        "_fake-model · FOOTER_",
      ].join("\n"),
    )
  })

  it("the footer carries model, duration, tokens and cost", () => {
    const out = render("tool-permission", "essential")
    expect(out).toMatch(/_fake-model · \d+\.\ds · \d+ tokens · \$[\d.]+_$/)
  })

  it("text verbosity keeps only the answer: no tool lines, no footer", () => {
    expect(render("tool-permission", "text")).toBe("I will run a command.\n\nThe command printed `hi`.")
    expect(render("tool-permission", "essential")).toMatch(/\n\n_fake-model · /)
  })

  it("all verbosity shows reasoning and command output", () => {
    expect(render("text", "all")).toMatch(/^> 💭 Let me think about the steps first\./)
    expect(render("tool-permission", "all")).toContain("✅ `$ echo hi`\n```\nhi\n```")
  })

  it("errors and aborts become notices", () => {
    expect(render("error-400", "essential")).toMatch(/^❌ APIError: This model does not support that request\./)
    expect(render("abort", "essential")).toMatch(/\n\n_Stopped\._\n\n_fake-model/)
  })

  it("the terminal dialect has no markdown syntax", () => {
    const out = render("todos-and-tools", "essential", "terminal")
    expect(out).toContain("Todo:\n  [x] Read the code\n  [>] Fix the bug\n  [ ] Run the tests")
    expect(out).toContain("✅ $ echo tests pass")
    expect(out).toMatch(/— fake-model · /)
  })

  it("a running turn has no footer and shows a retry notice", () => {
    const s = replayed("text")
    const { answers } = lastTurn(s)
    const retrying = { ...s, status: { type: "retry" as const, attempt: 2, message: "HTTP 503 from provider.", next: 0 } }
    const out = formatBlocks(turnBlocks({ session: retrying, messages: answers, ended: false, verbosity: "essential" }), "gfm")
    expect(out).toMatch(/⚠️ Provider error: HTTP 503 from provider\. Retrying \(attempt 2\)…$/)
    expect(out).not.toContain("fake-model")
  })
})

describe("tool titles", () => {
  const tool = (name: string, input: Record<string, unknown>, metadata: Record<string, unknown> = {}): ToolPart => ({
    id: "p",
    sessionID: "s",
    messageID: "m",
    type: "tool",
    callID: "c",
    tool: name,
    state: { status: "completed", input, output: "", title: "", metadata, time: { start: 0, end: 1 } },
  })
  const dir = "/work/proj"
  it.each([
    [tool("bash", { command: "npm test -- --run\nsecond line" }), "$ npm test -- --run…", undefined],
    [tool("edit", { filePath: "/work/proj/src/a.ts" }, { filediff: { additions: 12, deletions: 3 } }), "edit src/a.ts", "(+12 −3)"],
    [tool("write", { filePath: "/elsewhere/b.ts", content: "a\nb\n" }), "write /elsewhere/b.ts", "(+2)"],
    [tool("read", { filePath: "/work/proj/README.md" }), "read README.md", undefined],
    [tool("grep", { pattern: "TODO", path: "/work/proj/src" }), 'grep "TODO" in src', undefined],
    [tool("webfetch", { url: "https://example.com/x" }), "fetch https://example.com/x", undefined],
    [tool("mcp_thing", { query: "hello" }), "mcp_thing hello", undefined],
  ])("%#", (part, title, suffix) => {
    expect(toolTitle(part, dir)).toEqual(suffix ? { title, suffix } : { title })
  })

  it("inline code survives backticks", () => {
    expect(inlineCode("echo `date`")).toBe("`` echo `date` ``")
    expect(inlineCode("`x`")).toBe("`` `x` ``")
  })

  it("numbers read like a person would write them", () => {
    expect(formatTokens(842)).toBe("842")
    expect(formatTokens(1234)).toBe("1.2k")
    expect(formatTokens(45_678)).toBe("46k")
    expect(formatCost(0.0042)).toBe("$0.0042")
    expect(formatCost(1.5)).toBe("$1.50")
    expect(formatDuration(12_345)).toBe("12.3s")
    expect(formatDuration(125_000)).toBe("2m 05s")
  })
})
