// Socket Mode on `/link/`: tickets issued by apps.connections.open (single use), `hello` on
// connect, envelopes (events_api / interactive / slash_commands) sent to the newest open
// connection or queued until one opens, the 3 s ack deadline with per-attempt latency, and
// redelivery of an unacknowledged envelope (new envelope_id, same payload, retry_attempt+1,
// retry_reason "timeout") up to 3 times (README "Socket Mode"). Test knobs: disconnect frames,
// drop, refuse, and redelivering an envelope that was acknowledged.
import type { IncomingMessage } from "node:http"
import type { Duplex } from "node:stream"
import { WebSocket, WebSocketServer } from "ws"
import type { FakeState } from "./state.ts"
import { newId, type Json } from "./types.ts"

export type EnvelopeType = "events_api" | "interactive" | "slash_commands"
export type DisconnectReason = "refresh_requested" | "warning" | "link_disabled" | "too_many_websockets"

export interface AttemptRecord {
  envelopeId: string
  retryAttempt: number
  retryReason: string
  /** Unset while queued (no open connection). */
  sentAt: number | undefined
  ackedAt: number | undefined
  ackLatencyMs: number | undefined
  /** The deadline passed before this attempt was acknowledged. */
  timedOut: boolean
}

/** One delivery of a payload, with all its attempts. */
export interface EnvelopeRecord {
  seq: number
  type: EnvelopeType
  payload: Json
  acceptsResponsePayload: boolean
  attempts: AttemptRecord[]
  status: "pending" | "acked" | "unacked"
  /** Latency of the ack that settled it, measured from the send of the attempt it acknowledged. */
  ackLatencyMs: number | undefined
  /** That ack arrived after the deadline. */
  late: boolean
  ackPayload: Json | undefined
  redeliveries: number
}

export interface SocketOptions {
  ackTimeoutMs: number
  maxRedeliveries: number
  /** Whether an unacknowledged envelope of this type is sent again. */
  redeliver: Record<EnvelopeType, boolean>
}

interface Delivery {
  record: EnvelopeRecord
  timer: ReturnType<typeof setTimeout> | undefined
  waiters: ((r: EnvelopeRecord) => void)[]
}

interface Conn {
  id: number
  ws: WebSocket
}

export class SocketHub {
  refused = false
  totalConnections = 0
  rejectedConnections = 0
  unknownAcks = 0
  readonly deliveries: Delivery[] = []
  private readonly wss = new WebSocketServer({ noServer: true })
  private readonly conns: Conn[] = []
  private readonly tickets = new Set<string>()
  private readonly byEnvelope = new Map<string, Delivery>()
  private readonly state: FakeState
  private readonly opts: SocketOptions
  private readonly onAck: (record: EnvelopeRecord) => void

  constructor(state: FakeState, opts: SocketOptions, onAck: (record: EnvelopeRecord) => void) {
    this.state = state
    this.opts = opts
    this.onAck = onAck
    state.onEvent((payload) => this.deliver("events_api", payload, false))
  }

  /** apps.connections.open: a fresh single-use ticket in the WebSocket URL. */
  issueUrl(): string {
    const ticket = newId("", 32).toLowerCase()
    this.tickets.add(ticket)
    return `${this.state.baseUrl.replace(/^http/, "ws")}/link/?ticket=${ticket}&app_id=${this.state.bot.appId}`
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://fake.invalid")
    const ticket = url.searchParams.get("ticket") ?? ""
    const refuse = (status: string) => {
      this.rejectedConnections++
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      socket.destroy()
      this.state.changed()
    }
    if (this.refused) return refuse("503 Service Unavailable")
    if (!this.tickets.delete(ticket) || url.searchParams.get("app_id") !== this.state.bot.appId) return refuse("401 Unauthorized")
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { id: ++this.totalConnections, ws }
      this.conns.push(conn)
      ws.on("message", (data) => this.onMessage(data.toString()))
      ws.on("close", () => this.forget(conn))
      ws.on("error", () => this.forget(conn))
      ws.send(
        JSON.stringify({
          type: "hello",
          num_connections: this.count(),
          debug_info: { host: "applink-fake-slack", build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: this.state.bot.appId },
        }),
      )
      this.flushQueued()
      this.state.changed()
    })
  }

  count(): number {
    return this.conns.filter((c) => c.ws.readyState === WebSocket.OPEN).length
  }

  /** Sends (or queues) a payload; the returned record fills in as attempts are acknowledged. */
  deliver(type: EnvelopeType, payload: Json, acceptsResponsePayload: boolean): EnvelopeRecord {
    const record: EnvelopeRecord = {
      seq: this.deliveries.length + 1,
      type,
      payload,
      acceptsResponsePayload,
      attempts: [],
      status: "pending",
      ackLatencyMs: undefined,
      late: false,
      ackPayload: undefined,
      redeliveries: 0,
    }
    const d: Delivery = { record, timer: undefined, waiters: [] }
    this.deliveries.push(d)
    this.attempt(d, "")
    this.state.changed()
    return record
  }

  /** Resolves when the delivery is acknowledged or given up on. */
  settled(record: EnvelopeRecord): Promise<EnvelopeRecord> {
    const d = this.deliveries.find((x) => x.record === record)
    if (!d || record.status !== "pending") return Promise.resolve(record)
    return new Promise((resolve) => d.waiters.push(resolve))
  }

  /**
   * Slack sends a delivery again although it was acknowledged (it did not see the ack in time):
   * the same payload in a new envelope with retry_attempt + 1. Returns the record once settled again.
   */
  redeliver(seq: number, reason: string): Promise<EnvelopeRecord> {
    const d = this.deliveries.find((x) => x.record.seq === seq)
    if (!d) throw new Error(`fake-slack: no delivery #${seq}`)
    d.record.status = "pending"
    this.attempt(d, reason)
    this.state.changed()
    return this.settled(d.record)
  }

  sendDisconnect(reason: DisconnectReason): number {
    const open = this.conns.filter((c) => c.ws.readyState === WebSocket.OPEN)
    for (const c of open) c.ws.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: "applink-fake-slack" } }))
    return open.length
  }

  /** Abrupt loss of every socket (no close frame), as when the network drops. */
  dropAll(): void {
    for (const c of [...this.conns]) {
      c.ws.terminate()
      this.forget(c)
    }
  }

  /** Stops every timer and gives up on pending deliveries, so nothing awaiting a click hangs. */
  close(): Promise<void> {
    for (const d of this.deliveries) if (d.record.status === "pending") this.settle(d, "unacked")
    this.dropAll()
    return new Promise((resolve) => this.wss.close(() => resolve()))
  }

  private forget(conn: Conn): void {
    const i = this.conns.indexOf(conn)
    if (i < 0) return
    this.conns.splice(i, 1)
    this.state.changed()
  }

  private newest(): Conn | undefined {
    return this.conns.filter((c) => c.ws.readyState === WebSocket.OPEN).at(-1)
  }

  private attempt(d: Delivery, retryReason: string): void {
    const a: AttemptRecord = {
      envelopeId: newId("", 8).toLowerCase() + "-" + newId("", 4).toLowerCase() + "-" + newId("", 12).toLowerCase(),
      retryAttempt: d.record.attempts.length,
      retryReason,
      sentAt: undefined,
      ackedAt: undefined,
      ackLatencyMs: undefined,
      timedOut: false,
    }
    d.record.attempts.push(a)
    d.record.redeliveries = d.record.attempts.length - 1
    this.byEnvelope.set(a.envelopeId, d)
    this.send(d, a)
  }

  private send(d: Delivery, a: AttemptRecord): void {
    const conn = this.newest()
    if (!conn) return
    const r = d.record
    conn.ws.send(
      JSON.stringify({
        envelope_id: a.envelopeId,
        type: r.type,
        payload: r.payload,
        accepts_response_payload: r.acceptsResponsePayload,
        retry_attempt: a.retryAttempt,
        retry_reason: a.retryReason,
      }),
    )
    a.sentAt = Date.now()
    clearTimeout(d.timer)
    d.timer = setTimeout(() => this.onDeadline(d, a), this.opts.ackTimeoutMs)
  }

  private flushQueued(): void {
    for (const d of this.deliveries) {
      const last = d.record.attempts.at(-1)
      if (d.record.status === "pending" && last && last.sentAt === undefined) this.send(d, last)
    }
  }

  private onDeadline(d: Delivery, a: AttemptRecord): void {
    d.timer = undefined
    if (d.record.status !== "pending") return
    a.timedOut = true
    if (this.opts.redeliver[d.record.type] && d.record.redeliveries < this.opts.maxRedeliveries) this.attempt(d, "timeout")
    else this.settle(d, "unacked")
    this.state.changed()
  }

  private settle(d: Delivery, status: "acked" | "unacked"): void {
    clearTimeout(d.timer)
    d.timer = undefined
    d.record.status = status
    for (const w of d.waiters.splice(0)) w(d.record)
  }

  private onMessage(text: string): void {
    let msg: { envelope_id?: unknown; payload?: unknown }
    try {
      msg = JSON.parse(text) as typeof msg
    } catch {
      return
    }
    if (typeof msg.envelope_id !== "string") return
    const d = this.byEnvelope.get(msg.envelope_id)
    const a = d?.record.attempts.find((x) => x.envelopeId === msg.envelope_id)
    if (!d || !a || a.sentAt === undefined || a.ackedAt !== undefined) {
      this.unknownAcks++
      return
    }
    a.ackedAt = Date.now()
    a.ackLatencyMs = a.ackedAt - a.sentAt
    if (d.record.status === "pending") {
      d.record.ackLatencyMs = a.ackLatencyMs
      d.record.late = a.ackLatencyMs > this.opts.ackTimeoutMs
      const payload = msg.payload
      d.record.ackPayload = typeof payload === "object" && payload !== null ? (payload as Json) : undefined
      this.settle(d, "acked")
      this.onAck(d.record)
    }
    this.state.changed()
  }
}
