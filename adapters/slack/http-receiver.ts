// HTTP Events API mode: a Bolt Receiver whose requests arrive through an HttpRoute served by the
// relay's own HTTP server (one path for events, clicks and slash commands). Each request is
// verified with the signing secret — `v0:{timestamp}:{body}` HMAC-SHA256 against
// X-Slack-Signature, and refused when X-Slack-Request-Timestamp is more than 5 minutes away
// from now either way (replays) — then parsed as Slack sends it (JSON events, a form with a
// JSON `payload` for clicks, a plain form for commands) and handed to Bolt, whose `ack()`
// becomes the HTTP answer. url_verification is answered with its challenge (docs/slack.md).
import { verifySlackRequest, type App, type Receiver, type ReceiverEvent } from "@slack/bolt"
import type { HttpRequest, HttpResponse, HttpRoute } from "../../src/chat/types.ts"
import type { Logger } from "../../src/log/logger.ts"
import { withDeadline } from "../../src/timing/deadline.ts"
import { LIMITS } from "./limits.ts"

const text = (status: number, body = ""): HttpResponse => ({ status, headers: { "content-type": "text/plain; charset=utf-8" }, body })
const json = (body: unknown): HttpResponse => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

/** Why a request is not from Slack (or is too old), or undefined when it verifies. */
export function verifyRequest(secret: string, req: HttpRequest, nowMs: number): string | undefined {
  const signature = req.headers["x-slack-signature"]
  const stamp = Number(req.headers["x-slack-request-timestamp"])
  if (!signature || !Number.isFinite(stamp)) return "X-Slack-Signature or X-Slack-Request-Timestamp missing"
  if (Math.abs(nowMs / 1000 - stamp) > LIMITS.signatureMaxAgeSec) return "the request timestamp is more than 5 minutes away (a replay?)"
  try {
    verifySlackRequest({ signingSecret: secret, body: req.body.toString("utf8"), headers: { "x-slack-signature": signature, "x-slack-request-timestamp": stamp }, nowMilliseconds: nowMs })
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

/** The body as Bolt wants it: JSON, a click's `payload` JSON, or the command's form fields. */
export function parseBody(req: HttpRequest): Record<string, unknown> {
  const raw = req.body.toString("utf8")
  const type = (req.headers["content-type"] ?? "").toLowerCase()
  if (type.startsWith("application/json")) return JSON.parse(raw) as Record<string, unknown>
  const form = Object.fromEntries(new URLSearchParams(raw))
  return typeof form.payload === "string" ? (JSON.parse(form.payload) as Record<string, unknown>) : form
}

export class HttpReceiver implements Receiver {
  private app: App | undefined
  private readonly secret: string
  private readonly path: string
  private readonly log: Logger
  private readonly now: () => number

  constructor(opts: { signingSecret: string; path: string; log: Logger; now?: () => number }) {
    this.secret = opts.signingSecret
    this.path = opts.path
    this.log = opts.log
    this.now = opts.now ?? Date.now
  }

  init(app: App): void {
    this.app = app
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  route(): HttpRoute {
    return { method: "POST", path: this.path, handle: (req) => this.handle(req) }
  }

  private async handle(req: HttpRequest): Promise<HttpResponse> {
    if (req.body.length > LIMITS.httpMaxBodyBytes) return text(413, "body too large")
    // Slack's SSL check carries no signature: answered, and nothing in it is processed.
    const form = (req.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")
    if (form && new URLSearchParams(req.body.toString("utf8")).get("ssl_check") === "1") return text(200)
    const refused = verifyRequest(this.secret, req, this.now())
    if (refused) {
      this.log.warn({ from: req.remoteAddress, why: refused }, "Slack request refused: signature does not verify")
      return text(401, "invalid signature")
    }
    let body: Record<string, unknown>
    try {
      body = parseBody(req)
    } catch {
      return text(400, "malformed body")
    }
    if (body.type === "url_verification") return json({ challenge: body.challenge })
    const app = this.app
    if (!app) return text(503, "not ready")
    let answer: (value: HttpResponse) => void = () => {}
    const acked = new Promise<HttpResponse>((resolve) => (answer = resolve))
    const retry = Number(req.headers["x-slack-retry-num"])
    const event: ReceiverEvent = {
      body,
      ...(Number.isFinite(retry) ? { retryNum: retry } : {}),
      ...(req.headers["x-slack-retry-reason"] ? { retryReason: req.headers["x-slack-retry-reason"] } : {}),
      ack: async (response?: unknown) => {
        if (response === undefined || response === "") answer(text(200))
        else answer(typeof response === "string" ? text(200, response) : json(response))
      },
    }
    const processing = app.processEvent(event).catch((err: unknown) => {
      this.log.error({ err }, "Slack request failed in processing")
      answer(text(500, "processing failed"))
    })
    const outcome = await withDeadline(acked, LIMITS.httpAckWaitMs)
    void processing
    if (outcome.done) return outcome.value
    this.log.warn({ type: body.type }, "Slack request not acknowledged in time")
    return text(500, "not acknowledged")
  }
}
