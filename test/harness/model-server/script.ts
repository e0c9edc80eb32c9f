// The vocabulary of scripted model turns. A script is the list of turns the fake model plays
// after one user prompt: turn 0 answers the prompt, turn 1 answers the first tool result, …

export interface Usage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

export interface TextTurn {
  kind: "text"
  text: string
  /** Reasoning streamed before the text (becomes a `reasoning` part). */
  reasoning?: string
  /** Characters per chunk (code points, never a split surrogate pair). Default 8. */
  chunk?: number
  /** Delay between chunks in ms. Default 0. */
  delayMs?: number
  usage?: Usage
}

export interface ToolTurn {
  kind: "tool"
  tool: "bash" | "write" | "question" | "todowrite" | (string & {})
  args: Record<string, unknown>
  /** Text streamed before the tool call. */
  text?: string
  delayMs?: number
  usage?: Usage
}

export interface ErrorTurn {
  kind: "error"
  status: number
  message?: string
}

/** Streams `text` (if any) then keeps the response open until the client goes away. */
export interface HangTurn {
  kind: "hang"
  text?: string
  chunk?: number
  delayMs?: number
}

export type Turn = TextTurn | ToolTurn | ErrorTurn | HangTurn

export const text = (value: string, opts: Omit<TextTurn, "kind" | "text"> = {}): TextTurn => ({
  kind: "text",
  text: value,
  ...opts,
})

export const tool = (name: ToolTurn["tool"], args: Record<string, unknown>, opts: Omit<ToolTurn, "kind" | "tool" | "args"> = {}): ToolTurn => ({
  kind: "tool",
  tool: name,
  args,
  ...opts,
})

export const bash = (command: string, opts: Omit<ToolTurn, "kind" | "tool" | "args"> = {}): ToolTurn =>
  tool("bash", { command, description: `Run ${command}` }, opts)

export const question = (q: string, options: string[], opts: { header?: string; multiple?: boolean } = {}): ToolTurn =>
  tool("question", {
    questions: [
      {
        question: q,
        header: opts.header ?? "Question",
        options: options.map((label) => ({ label, description: label })),
        ...(opts.multiple ? { multiple: true } : {}),
      },
    ],
  })

export const fail = (status: number, message?: string): ErrorTurn => ({ kind: "error", status, ...(message ? { message } : {}) })

export const hang = (opts: Omit<HangTurn, "kind"> = {}): HangTurn => ({ kind: "hang", ...opts })

/** Splits text into chunks of `size` code points, so emoji never break across chunks. */
export function chunkText(value: string, size: number): string[] {
  const points = Array.from(value)
  const out: string[] = []
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(""))
  return out
}
