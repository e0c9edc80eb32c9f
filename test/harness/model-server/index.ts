// A scripted OpenAI-compatible `/v1/chat/completions` server on 127.0.0.1 for the real
// OpenCode server to talk to. Tests register a script and put the returned marker in their
// prompt; the server finds the newest user message carrying a marker and plays the turn whose
// index is the number of assistant messages after it. Every request is recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { chunkText, type Turn, type Usage } from "./script.ts"

export * from "./script.ts"

export interface RecordedRequest {
  kind: "title" | "main"
  marker: string | null
  turn: number
  body: ChatRequest
  /** Set when the client closed the connection before the response ended. */
  disconnected: boolean
}

interface ChatMessage {
  role: string
  content?: string | Array<{ type: string; text?: string }> | null
  tool_calls?: unknown[]
}

interface ChatRequest {
  model?: string
  stream?: boolean
  messages: ChatMessage[]
  tools?: unknown[]
}

export interface Gate {
  /** Chunks to stream before waiting. */
  afterChunks: number
  wait: Promise<void>
  /** Called when the stream reaches the gate (everything before it has been sent). */
  reached?: () => void
}

export interface ModelServer {
  /** Base URL for the provider config, ending in `/v1`. */
  readonly url: string
  readonly requests: RecordedRequest[]
  /** Registers a script; put the returned marker anywhere in the prompt. Gates pause turn 0. */
  script(turns: Turn[], gate?: Gate | Gate[]): string
  /** Resolves with the first recorded request matching `pred` (past or future). */
  waitForRequest(pred: (r: RecordedRequest) => boolean): Promise<RecordedRequest>
  /** Text the default (unscripted) answer uses. */
  readonly defaultText: string
  /** Resolves when no response is being streamed. */
  whenIdle(): Promise<void>
  close(): Promise<void>
}

const TITLE_TEXT = "Scripted title"
const DEFAULT_TEXT = "ok"
const MARKER = /\bSBX(\d+)\b/g

function contentText(message: ChatMessage): string {
  const c = message.content
  if (typeof c === "string") return c
  if (Array.isArray(c)) return c.map((p) => (typeof p.text === "string" ? p.text : "")).join("\n")
  return ""
}

function isTitleRequest(body: ChatRequest): boolean {
  const system = body.messages.find((m) => m.role === "system")
  return (!body.tools || body.tools.length === 0) && /title generator/i.test(system ? contentText(system) : "")
}

/** The marker of the newest user message that has one, and how many assistant turns followed it. */
function locate(body: ChatRequest): { marker: string | null; turn: number } {
  const msgs = body.messages
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i]!
    if (m.role !== "user") continue
    const found = [...contentText(m).matchAll(MARKER)].at(-1)
    if (!found) continue
    const turn = msgs.slice(i + 1).filter((x) => x.role === "assistant").length
    return { marker: found[0], turn }
  }
  return { marker: null, turn: 0 }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export async function startModelServer(): Promise<ModelServer> {
  const scripts = new Map<string, { turns: Turn[]; gates: Gate[] }>()
  const requests: RecordedRequest[] = []
  const waiters: Array<{ pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }> = []
  let next = 1
  let counter = 0
  let inFlight = 0
  let idleWaiters: Array<() => void> = []
  const settle = () => {
    if (inFlight > 0) return
    const list = idleWaiters
    idleWaiters = []
    for (const w of list) w()
  }

  const record = (r: RecordedRequest) => {
    requests.push(r)
    for (const w of [...waiters]) {
      if (w.pred(r)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(r)
      }
    }
  }

  const server: Server = createServer((req, res) => {
    inFlight++
    handle(req, res)
      .catch((err) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: { message: String(err), type: "server_error" } }))
      })
      .finally(() => {
        inFlight--
        settle()
      })
  })

  async function readBody(req: IncomingMessage): Promise<string> {
    const parts: Buffer[] = []
    for await (const chunk of req) parts.push(chunk as Buffer)
    return Buffer.concat(parts).toString("utf8")
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method === "GET" && req.url?.endsWith("/models")) {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ object: "list", data: [{ id: "fake-model", object: "model" }] }))
      return
    }
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }))
      return
    }
    const body = JSON.parse(await readBody(req)) as ChatRequest
    if (isTitleRequest(body)) {
      const entry: RecordedRequest = { kind: "title", marker: null, turn: 0, body, disconnected: false }
      record(entry)
      await stream(res, entry, { kind: "text", text: TITLE_TEXT }, [])
      return
    }
    const { marker, turn } = locate(body)
    const entry: RecordedRequest = { kind: "main", marker, turn, body, disconnected: false }
    res.on("close", () => {
      if (!res.writableFinished) entry.disconnected = true
    })
    record(entry)
    const script = marker ? scripts.get(marker) : undefined
    const played: Turn = script?.turns[turn] ?? { kind: "text", text: DEFAULT_TEXT }
    await stream(res, entry, played, turn === 0 ? (script?.gates ?? []) : [])
  }

  async function stream(res: ServerResponse, entry: RecordedRequest, turn: Turn, gates: Gate[]) {
    if (turn.kind === "error") {
      const type = turn.status < 500 ? "invalid_request_error" : "server_error"
      res.writeHead(turn.status, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: { message: turn.message ?? `scripted ${turn.status}`, type } }))
      return
    }
    const id = `chatcmpl-${++counter}`
    const created = Math.floor(Date.now() / 1000)
    const alive = () => !res.destroyed && !entry.disconnected
    const send = (delta: Record<string, unknown>, finish: string | null = null, usage?: Usage) => {
      if (!alive()) return
      const chunk = {
        id,
        object: "chat.completion.chunk",
        created,
        model: "fake-model",
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...(usage ? { usage } : {}),
      }
      res.write(`data: ${JSON.stringify(chunk)}\n\n`)
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" })
    send({ role: "assistant", content: "" })
    const delay = "delayMs" in turn ? (turn.delayMs ?? 0) : 0
    let sent = 0
    const pace = async () => {
      sent++
      for (const g of gates) {
        if (sent !== g.afterChunks) continue
        g.reached?.()
        await g.wait
      }
      if (delay > 0) await sleep(delay)
      else if (sent % 16 === 0) await sleep(0) // let the socket drain between bursts
    }
    const size = "chunk" in turn ? (turn.chunk ?? 8) : 8
    let completion = 0
    if (turn.kind === "text" && turn.reasoning) {
      for (const piece of chunkText(turn.reasoning, size)) {
        if (!alive()) return
        send({ reasoning_content: piece })
        completion++
        await pace()
      }
    }
    const prose = turn.text ?? ""
    for (const piece of prose ? chunkText(prose, size) : []) {
      if (!alive()) return
      send({ content: piece })
      completion++
      await pace()
    }
    if (turn.kind === "hang") {
      await new Promise<void>((resolve) => {
        if (!alive()) resolve()
        res.on("close", () => resolve())
      })
      return
    }
    let finish = "stop"
    if (turn.kind === "tool") {
      const args = JSON.stringify(turn.args)
      send({ tool_calls: [{ index: 0, id: `call_${counter}`, type: "function", function: { name: turn.tool, arguments: "" } }] })
      for (const piece of chunkText(args, 24)) {
        send({ tool_calls: [{ index: 0, function: { arguments: piece } }] })
        completion++
      }
      finish = "tool_calls"
    }
    const usage = turn.usage ?? { prompt_tokens: 100, completion_tokens: completion, total_tokens: 100 + completion }
    send({}, finish, usage)
    if (alive()) res.end("data: [DONE]\n\n")
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    defaultText: DEFAULT_TEXT,
    script(turns, gate) {
      const marker = `SBX${next++}`
      scripts.set(marker, { turns, gates: gate === undefined ? [] : Array.isArray(gate) ? gate : [gate] })
      return marker
    },
    whenIdle() {
      if (inFlight === 0) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
    waitForRequest(pred) {
      const found = requests.find(pred)
      if (found) return Promise.resolve(found)
      return new Promise((resolve) => waiters.push({ pred, resolve }))
    },
    close() {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
