// The WebSocket endpoint `/api/v4/websocket` on the fake's http.Server: authentication challenge
// (or an Authorization header on the upgrade), `hello` with a fresh connection_id, replies to
// ping / user_typing / anything else, and fan-out of FakeState's events to channel members with a
// per-connection `seq`. No resumption: every connection starts at seq 0, as for token clients.
import type { IncomingMessage } from "node:http"
import type { Duplex } from "node:stream"
import { WebSocket, WebSocketServer } from "ws"
import { SERVER_VERSION } from "./http.ts"
import type { FakeState } from "./state.ts"
import { MmError, newId, type Broadcast, type Json } from "./types.ts"

interface Conn {
  ws: WebSocket
  connectionId: string
  userId: string
  seq: number
}

export class WebSocketHub {
  refused = false
  totalConnections = 0
  private readonly wss = new WebSocketServer({ noServer: true })
  private readonly conns = new Set<Conn>()
  private readonly state: FakeState

  constructor(state: FakeState) {
    this.state = state
    state.onBroadcast((b) => this.deliver(b))
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, headerToken: string | undefined): void {
    if (this.refused) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
      socket.destroy()
      return
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, connectionId: newId(), userId: "", seq: 0 }
      this.conns.add(conn)
      ws.on("message", (data) => this.onMessage(conn, data.toString()))
      ws.on("close", () => this.forget(conn))
      ws.on("error", () => this.forget(conn))
      const userId = headerToken ? this.state.userIdForToken(headerToken) : undefined
      if (userId) this.authenticate(conn, userId)
    })
  }

  /** Authenticated, open connections (optionally of one user). */
  count(userId?: string): number {
    return [...this.conns].filter((c) => c.userId && (!userId || c.userId === userId) && c.ws.readyState === WebSocket.OPEN)
      .length
  }

  /** Abrupt loss of every socket (no close frame), as when a proxy or the network drops. */
  dropAll(): void {
    for (const c of [...this.conns]) {
      c.ws.terminate()
      this.forget(c)
    }
  }

  close(): Promise<void> {
    this.dropAll()
    return new Promise((resolve) => this.wss.close(() => resolve()))
  }

  private forget(conn: Conn): void {
    if (this.conns.delete(conn)) this.state.changed()
  }

  private authenticate(conn: Conn, userId: string): void {
    conn.userId = userId
    this.totalConnections++
    this.emit(conn, {
      event: "hello",
      data: { server_version: SERVER_VERSION, connection_id: conn.connectionId, server_hostname: "" },
      broadcast: { omit_users: null, user_id: userId, channel_id: "", team_id: "" },
    })
    this.state.changed()
  }

  private emit(conn: Conn, b: Broadcast): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return
    conn.ws.send(JSON.stringify({ event: b.event, data: b.data, broadcast: b.broadcast, seq: conn.seq++ }))
  }

  private reply(conn: Conn, seq: unknown, extra: Json = { status: "OK" }): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify({ ...extra, seq_reply: seq }))
  }

  private fail(conn: Conn, seq: unknown, err: MmError): void {
    this.reply(conn, seq, { status: "FAIL", error: err.body("") })
  }

  private onMessage(conn: Conn, text: string): void {
    let msg: { action?: string; seq?: number; data?: Json }
    try {
      msg = JSON.parse(text)
    } catch {
      return
    }
    const data = msg.data ?? {}
    if (msg.action === "authentication_challenge") {
      const userId = this.state.userIdForToken(String(data.token ?? ""))
      if (!userId || (conn.userId && conn.userId !== userId)) {
        conn.ws.close(1008, "invalid token")
        return
      }
      this.reply(conn, msg.seq)
      if (!conn.userId) this.authenticate(conn, userId)
      return
    }
    if (!conn.userId) {
      const err = new MmError(401, "api.web_socket_router.not_authenticated.app_error", "Websocket not authenticated.")
      return this.fail(conn, msg.seq, err)
    }
    try {
      this.act(conn, msg.action ?? "", msg.seq, data)
    } catch (err) {
      if (!(err instanceof MmError)) throw err
      this.fail(conn, msg.seq, err)
    }
  }

  private act(conn: Conn, action: string, seq: unknown, data: Json): void {
    if (action === "ping") {
      const pong = { text: "pong", version: SERVER_VERSION, server_time: Date.now(), node_id: "" }
      return this.reply(conn, seq, { status: "OK", data: pong })
    }
    if (action === "user_typing") {
      const channelId = String(data.channel_id ?? "")
      this.state.requireRead(conn.userId, channelId)
      this.state.recordTyping({ userId: conn.userId, channelId, parentId: String(data.parent_id ?? ""), via: "websocket" })
    }
    this.reply(conn, seq)
  }

  private deliver(b: Broadcast): void {
    const { user_id: only, channel_id: channelId, omit_users: omit } = b.broadcast
    const members = channelId ? this.state.members(channelId) : undefined
    for (const conn of this.conns) {
      if (!conn.userId || omit?.[conn.userId]) continue
      if (only ? conn.userId !== only : !members?.has(conn.userId)) continue
      this.emit(conn, b)
    }
  }
}
