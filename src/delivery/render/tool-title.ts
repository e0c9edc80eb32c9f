// Compact one-line titles for tool calls, the way a developer would write them:
// `$ npm test`, `edit src/a.ts (+12 −3)`, `read README.md`, `grep "TODO" in src`.
import type { ToolPart } from "@opencode-ai/sdk/v2"

const MAX_TITLE = 100

export function clip(text: string, max = MAX_TITLE): string {
  const line = text.split("\n", 1)[0]!.trim()
  const more = line.length < text.trim().length
  if (line.length <= max && !more) return line
  return `${line.slice(0, max - 1).trimEnd()}…`
}

/** A path relative to the project when it is inside it. */
export function shortPath(path: string, projectDir: string | undefined): string {
  if (projectDir && path.startsWith(projectDir.endsWith("/") ? projectDir : `${projectDir}/`)) {
    return path.slice(projectDir.length).replace(/^\/+/, "")
  }
  return path
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined)
const num = (v: unknown) => (typeof v === "number" ? v : undefined)

function countLines(text: string | undefined): number {
  if (!text) return 0
  const n = text.split("\n").length
  return text.endsWith("\n") ? n - 1 : n
}

/** Tools that only look around; hidden at the "essential" verbosity. */
export const QUIET_TOOLS = new Set(["read", "glob", "grep", "list", "ls", "todoread", "codesearch", "lsp"])

export function toolTitle(part: ToolPart, projectDir: string | undefined): { title: string; suffix?: string } {
  const input = part.state.input ?? {}
  const meta = ("metadata" in part.state ? part.state.metadata : undefined) ?? {}
  const path = (key: string) => {
    const p = str(input[key])
    return p ? shortPath(p, projectDir) : undefined
  }
  switch (part.tool) {
    case "bash": {
      const command = str(input.command)
      return { title: command ? `$ ${clip(command)}` : "$ …" }
    }
    case "edit": {
      const diff = (meta.filediff ?? {}) as { additions?: unknown; deletions?: unknown }
      const add = num(diff.additions)
      const del = num(diff.deletions)
      const file = path("filePath") ?? "a file"
      return add === undefined || del === undefined ? { title: `edit ${file}` } : { title: `edit ${file}`, suffix: `(+${add} −${del})` }
    }
    case "write": {
      const lines = countLines(str(input.content))
      const file = path("filePath") ?? "a file"
      return lines > 0 ? { title: `write ${file}`, suffix: `(+${lines})` } : { title: `write ${file}` }
    }
    case "apply_patch":
      return { title: "apply patch" }
    case "read":
      return { title: `read ${path("filePath") ?? "a file"}` }
    case "glob":
      return { title: `glob ${clip(str(input.pattern) ?? "*", 60)}` }
    case "grep": {
      const where = path("path")
      return { title: `grep "${clip(str(input.pattern) ?? "", 60)}"${where ? ` in ${where}` : ""}` }
    }
    case "list":
    case "ls":
      return { title: `list ${path("path") ?? "."}` }
    case "webfetch":
      return { title: `fetch ${clip(str(input.url) ?? "a URL", 80)}` }
    case "websearch":
      return { title: `search "${clip(str(input.query) ?? "", 60)}"` }
    case "task":
      return { title: `task: ${clip(str(input.description) ?? str(input.prompt) ?? "subagent", 80)}` }
    case "skill":
      return { title: `skill ${str(input.name) ?? ""}`.trim() }
    case "question":
      return { title: "asked a question" }
    case "todowrite":
      return { title: "updated the todo list" }
    default: {
      const stateTitle = "title" in part.state ? str(part.state.title) : undefined
      const firstArg = Object.values(input).find((v) => typeof v === "string") as string | undefined
      return { title: clip(`${part.tool} ${stateTitle || firstArg || ""}`.trim()) }
    }
  }
}
