// A rendered turn, platform-neutral: ordered blocks with stable keys (part or call ids), so
// later stages can place boundaries between blocks and diff what changed.

export type Verbosity = "text" | "essential" | "all"

export type ToolStatus = "pending" | "running" | "done" | "failed"

export interface TodoItem {
  text: string
  status: "pending" | "in_progress" | "completed" | "cancelled"
}

export type Block =
  | { kind: "text"; key: string; text: string; catchingUp: boolean }
  | { kind: "reasoning"; key: string; text: string }
  | {
      kind: "tool"
      key: string
      tool: string
      status: ToolStatus
      /** `$ npm test`, `edit src/a.ts`, `read README.md` … */
      title: string
      /** `(+12 −3)` and the like. */
      suffix?: string
      /** Last lines of output (verbosity "all"). */
      output?: string
      error?: string
    }
  | { kind: "todos"; key: string; items: TodoItem[] }
  | { kind: "notice"; key: string; tone: "info" | "warning" | "error"; text: string }
  | { kind: "footer"; key: string; model: string; durationMs: number | undefined; tokens: number; cost: number }
