// Records real `/global/event` streams from scripted scenarios into test/fixtures/events/.
// Run with `npm run fixtures`. Each scenario writes `<name>.jsonl` (one raw SSE data payload
// per line, exactly as received, temp paths scrubbed) and `<name>.expected.json` (what the
// model sent, so tests can assert exact text). Reducer tests and the benchmark replay them.
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { SseDecoder } from "../../src/runtime/sse.ts"
import { startCore, type CoreHarness } from "./core.ts"
import { bash, fail, hang, question, text, tool, type Turn } from "./model-server/index.ts"
import { sampleAnswer } from "./text.ts"

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "events")

export interface Expected {
  scenario: string
  /** Text parts of the last turn, joined, as the model sent them. */
  finalText: string
  /** Set when the turn was cut: the final text is some prefix of this. */
  cutFrom?: string
  /** Tool part statuses at the end, in order. */
  tools: string[]
  /** Error name on the last assistant message, if any. */
  error?: string
}

interface Scenario {
  name: string
  turns: Turn[]
  expected: Omit<Expected, "scenario">
  /** Answers requests and/or interrupts the turn. */
  drive?(h: CoreHarness, sessionID: string): void
  /** How the turn is known to be over. */
  settle?(h: CoreHarness, sessionID: string): Promise<unknown>
}

const long = sampleAnswer(14)

const scenarios: Scenario[] = [
  {
    name: "text",
    turns: [text(long, { chunk: 6, reasoning: "Let me think about the steps first." })],
    expected: { finalText: long, tools: [] },
  },
  {
    name: "tool-permission",
    turns: [bash("echo hi", { text: "I will run a command.\n" }), text("The command printed `hi`.")],
    expected: { finalText: "I will run a command.\nThe command printed `hi`.", tools: ["completed"] },
    drive: (h, sid) => {
      h.router.subscribe(sid, { onPermission: async () => ({ reply: "once" }) })
    },
  },
  {
    name: "question",
    turns: [question("Which color?", ["Red", "Blue"]), text("You chose Blue.")],
    expected: { finalText: "You chose Blue.", tools: ["completed"] },
    drive: (h, sid) => {
      h.router.subscribe(sid, { onQuestion: async () => ({ answers: [["Blue"]] }) })
    },
  },
  {
    name: "todos-and-tools",
    turns: [
      tool("todowrite", {
        todos: [
          { content: "Read the code", status: "completed", priority: "high" },
          { content: "Fix the bug", status: "in_progress", priority: "high" },
          { content: "Run the tests", status: "pending", priority: "medium" },
        ],
      }),
      bash("echo tests pass"),
      text("All done: the bug is fixed and the tests pass."),
    ],
    expected: { finalText: "All done: the bug is fixed and the tests pass.", tools: ["completed", "completed"] },
    drive: (h, sid) => {
      h.router.subscribe(sid, { onPermission: async () => ({ reply: "once" }) })
    },
  },
  {
    name: "abort",
    turns: [hang({ text: "This answer will be cut off half", chunk: 4, delayMs: 10 })],
    expected: { finalText: "", cutFrom: "This answer will be cut off half", tools: [], error: "MessageAbortedError" },
    drive: (h, sid) => {
      const off = h.store.events.on("session.changed", (s) => {
        const t = s.messages.at(-1)?.parts.find((p) => p.type === "text")
        if (s.id === sid && t && "text" in t && t.text.length >= 12) {
          off()
          void h.client.sessions.abort(h.dir, sid)
        }
      })
    },
  },
  {
    name: "error-400",
    turns: [fail(400, "This model does not support that request.")],
    expected: { finalText: "", tools: [], error: "APIError" },
  },
]

async function record(h: CoreHarness, scenario: Scenario): Promise<{ lines: string[]; expected: Expected }> {
  const lines: string[] = []
  const abort = new AbortController()
  const res = await fetch(`${h.opencode.url}/global/event`, { signal: abort.signal })
  const decoder = new SseDecoder()
  const connected = new Promise<void>((resolve) => {
    void (async () => {
      try {
        for await (const chunk of res.body!) {
          decoder.push(chunk as Uint8Array, (data) => {
            lines.push(data)
            if (data.includes('"server.connected"')) resolve()
          })
        }
      } catch {
        // aborted at the end of the recording
      }
    })()
  })
  await connected
  const sid = await h.newSession()
  scenario.drive?.(h, sid)
  const marker = h.model.script(scenario.turns)
  await h.prompt(sid, `${marker} ${scenario.name}`)
  await (scenario.settle?.(h, sid) ?? h.idle(sid))
  // Trailing events (titles, summaries) follow idle; a second short turn flushes them.
  const flush = h.model.script([text("flushed")])
  await h.prompt(sid, `${flush} flush`)
  await h.waitFor(() => {
    const s = h.store.session(sid)
    const last = s?.messages.at(-1)
    return s?.status.type === "idle" && last?.info.role === "assistant" && last.info.time.completed && last.info.parentID !== undefined
      ? s.messages.filter((m) => m.info.role === "user").length === 2
      : false
  }, "the flush turn")
  abort.abort()
  const scrub = (line: string) => line.split(h.opencode.root).join("/tmp/switchboard-fixture")
  // Keep the stream up to (not including) the flush prompt's user message.
  const cut = lines.findIndex((l) => l.includes(`${flush} flush`))
  const kept = (cut > 0 ? lines.slice(0, cutBeforeMessage(lines, cut)) : lines).map(scrub)
  return { lines: kept, expected: { scenario: scenario.name, ...scenario.expected } }
}

/** Index of the first line of the message whose text part is at `partLine`. */
function cutBeforeMessage(lines: string[], partLine: number): number {
  for (let i = partLine; i >= 0; i--) {
    if (lines[i]!.includes('"type":"message.updated"') && lines[i]!.includes('"role":"user"')) return i
  }
  return partLine
}

async function main() {
  mkdirSync(OUT, { recursive: true })
  const h = await startCore()
  try {
    for (const scenario of scenarios) {
      const { lines, expected } = await record(h, scenario)
      writeFileSync(join(OUT, `${scenario.name}.jsonl`), lines.join("\n") + "\n")
      writeFileSync(join(OUT, `${scenario.name}.expected.json`), JSON.stringify(expected, null, 2) + "\n")
      console.log(`recorded ${scenario.name}: ${lines.length} frames`)
    }
  } finally {
    await h.close()
  }
}

await main()
