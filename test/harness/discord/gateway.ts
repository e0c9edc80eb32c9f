// The Gateway on the fake's http.Server (any path): HELLO, heartbeats and ACKs, IDENTIFY (token,
// intents → 4004/4013/4014) with READY plus one GUILD_CREATE per guild, sessions with a sequence
// number and a replay buffer, RESUME (replay, then RESUMED; unknown session → op 9 false), fan-out
// of FakeState's dispatches filtered by intents (content blanked without MessageContent), and
// the control knobs: op 7, op 9, drops, refusal, withheld ACKs and the trap-24 race (README "Gateway").
import type { IncomingMessage } from "node:http"
import type { Socket } from "node:net"
import type { Duplex } from "node:stream"
import { WebSocket, WebSocketServer } from "ws"
import { applicationFlags, blankContent, INTENTS, judgeIntents } from "./intents.ts"
import { GATEWAY_LIMITS } from "./limits.ts"
import { guildCreate, userWire } from "./payloads.ts"
import type { Dispatch, FakeState } from "./state.ts"
import { randomToken, type Json } from "./types.ts"

interface Frame {
  op: number
  d: unknown
  s: number | null
  t: string | null
}

interface Session {
  id: string
  intents: number
  seq: number
  /** Dispatches sent (or due) on this session, for RESUME replay. */
  buffer: Frame[]
  conn: Conn | undefined
}

interface Conn {
  ws: WebSocket
  socket: Socket
  session: Session | undefined
  received: { count: number; windowStart: number }
}

export interface GatewayStats {
  /** WebSocket connections accepted (refused ones not counted). */
  connects: number
  identifies: number
  /** RESUMEs answered with RESUMED. */
  resumes: number
  /** RESUMEs answered with op 9 (unknown or invalidated session). */
  failedResumes: number
  heartbeats: number
  acks: number
  dispatches: number
  /** Close codes the fake sent, in order. */
  serverCloses: number[]
  /** The close code of every socket that closed, either side (4200 = discord.js closing to resume). */
  closeCodes: number[]
  open: number
  sessions: number
}

export class GatewayHub {
  heartbeatIntervalMs: number
  /** false = heartbeats go unanswered (zombie connection; discord.js then closes and RESUMEs). */
  ackHeartbeats = true
  /** true = upgrades are answered 503, as when the gateway is unreachable. */
  refused = false
  private raceArmed = false
  private readonly stats_ = { connects: 0, identifies: 0, resumes: 0, failedResumes: 0, heartbeats: 0, acks: 0, dispatches: 0 }
  private readonly serverCloses: number[] = []
  private readonly closeCodes: number[] = []
  private readonly wss = new WebSocketServer({ noServer: true })
  private readonly conns = new Set<Conn>()
  private readonly sessions = new Map<string, Session>()
  private readonly state: FakeState

  constructor(state: FakeState, heartbeatIntervalMs: number = GATEWAY_LIMITS.heartbeatIntervalMs) {
    this.state = state
    this.heartbeatIntervalMs = heartbeatIntervalMs
    state.onDispatch((d) => this.deliver(d))
  }

  get url(): string {
    return this.state.baseUrl.replace(/^http/, "ws")
  }

  stats(): GatewayStats {
    const open = [...this.conns].filter((c) => c.ws.readyState === WebSocket.OPEN).length
    return { ...this.stats_, serverCloses: [...this.serverCloses], closeCodes: [...this.closeCodes], open, sessions: this.sessions.size }
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.refused) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
      return
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, socket: socket as Socket, session: undefined, received: { count: 0, windowStart: Date.now() } }
      this.conns.add(conn)
      this.stats_.connects++
      ws.on("message", (data) => this.onMessage(conn, data.toString()))
      ws.on("close", (code) => this.forget(conn, code))
      ws.on("error", () => this.forget(conn, 1006))
      this.send(conn, { op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs, _trace: ["fake-discord"] }, s: null, t: null })
      this.state.changed()
    })
  }

  private forget(conn: Conn, code: number): void {
    if (!this.conns.delete(conn)) return
    this.closeCodes.push(code)
    // A client closing with 1000/1001 ends its session; Discord then refuses to RESUME it.
    if ((code === 1000 || code === 1001) && conn.session) this.sessions.delete(conn.session.id)
    if (conn.session?.conn === conn) conn.session.conn = undefined
    this.state.changed()
  }

  private send(conn: Conn, frame: Frame): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(frame))
  }

  private closeConn(conn: Conn, code: number, reason = ""): void {
    this.serverCloses.push(code)
    conn.ws.close(code, reason)
  }

  private onMessage(conn: Conn, text: string): void {
    const now = Date.now()
    if (now - conn.received.windowStart >= 60_000) conn.received = { count: 0, windowStart: now }
    if (++conn.received.count > GATEWAY_LIMITS.sendPerMinute) return this.closeConn(conn, 4008, "Rate limited.")
    let frame: { op?: unknown; d?: unknown }
    try {
      frame = JSON.parse(text) as { op?: unknown; d?: unknown }
    } catch {
      return this.closeConn(conn, 4002, "Error while decoding payload.")
    }
    const d = (frame.d ?? {}) as Json
    switch (frame.op) {
      case 1:
        this.stats_.heartbeats++
        if (this.ackHeartbeats) {
          this.stats_.acks++
          this.send(conn, { op: 11, d: null, s: null, t: null })
        }
        break
      case 2:
        return this.identify(conn, d)
      case 6:
        return this.resume(conn, d)
      case 3:
      case 4:
      case 8:
        if (!conn.session) return this.closeConn(conn, 4003, "Not authenticated.")
        break
      default:
        return this.closeConn(conn, 4001, "Unknown opcode.")
    }
    this.state.changed()
  }

  private identify(conn: Conn, d: Json): void {
    if (conn.session) return this.closeConn(conn, 4005, "Already authenticated.")
    if (d.token !== this.state.botToken) return this.closeConn(conn, 4004, "Authentication failed.")
    const verdict = judgeIntents(d.intents, this.state.privileged)
    if (verdict === 4013) return this.closeConn(conn, 4013, "Invalid intent(s).")
    if (verdict === 4014) return this.closeConn(conn, 4014, "Disallowed intent(s).")
    const shard = d.shard
    if (Array.isArray(shard) && (shard[0] !== 0 || shard[1] !== 1)) return this.closeConn(conn, 4010, "Invalid shard.")
    const session: Session = { id: randomToken(16), intents: d.intents as number, seq: 0, buffer: [], conn }
    this.sessions.set(session.id, session)
    conn.session = session
    this.stats_.identifies++
    this.state.identifies++
    const { state } = this
    const ready: Json = {
      v: 10,
      user_settings: {},
      user: { ...userWire(state.bot), verified: true, mfa_enabled: false, email: null },
      guilds: [...state.guilds.keys()].map((id) => ({ id, unavailable: true })),
      private_channels: [],
      relationships: [],
      presences: [],
      session_id: session.id,
      session_type: "normal",
      resume_gateway_url: this.url,
      shard: [0, 1],
      application: { id: state.applicationId, flags: applicationFlags(state.privileged) },
      auth: {},
      geo_ordered_rtc_regions: [],
      _trace: ["fake-discord"],
    }
    this.push(session, "READY", ready)
    for (const guild of state.guilds.values()) {
      if (session.intents & INTENTS.guilds) this.push(session, "GUILD_CREATE", guildCreate(state, guild, session.intents))
    }
    this.state.changed()
  }

  private resume(conn: Conn, d: Json): void {
    const session = typeof d.session_id === "string" ? this.sessions.get(d.session_id) : undefined
    if (d.token !== this.state.botToken) return this.closeConn(conn, 4004, "Authentication failed.")
    const seq = typeof d.seq === "number" ? d.seq : 0
    if (!session || seq > session.seq) {
      this.stats_.failedResumes++
      this.send(conn, { op: 9, d: false, s: null, t: null })
      return this.state.changed()
    }
    if (session.conn && session.conn !== conn) session.conn.session = undefined
    session.conn = conn
    conn.session = session
    for (const f of session.buffer) if (f.s !== null && f.s > seq) this.send(conn, f)
    const race = this.raceArmed
    this.raceArmed = false
    this.stats_.resumes++
    if (race) this.sendRace(conn, session)
    else this.push(session, "RESUMED", { _trace: ["fake-discord"] })
    this.state.changed()
  }

  /**
   * Trap 24: RESUMED then op 9 (d:false) in one TCP write, so discord.js handles both in one tick:
   * the op 9 nulls the shard's session before discord.js's RESUMED handler reads
   * `sessionInfo.sequence`, which throws (an unhandled rejection that ends the process).
   */
  private sendRace(conn: Conn, session: Session): void {
    this.sessions.delete(session.id)
    conn.session = undefined
    const resumed: Frame = { op: 0, t: "RESUMED", s: ++session.seq, d: { _trace: ["fake-discord"] } }
    const invalid: Frame = { op: 9, d: false, s: null, t: null }
    conn.socket.cork()
    this.send(conn, resumed)
    this.send(conn, invalid)
    conn.socket.uncork()
  }

  /** Numbers and buffers a dispatch on a session, and sends it if the session has a live socket. */
  private push(session: Session, t: string, d: Json): void {
    const frame: Frame = { op: 0, t, s: ++session.seq, d }
    session.buffer.push(frame)
    if (session.buffer.length > GATEWAY_LIMITS.replayBuffer) session.buffer.shift()
    this.stats_.dispatches++
    if (session.conn) this.send(session.conn, frame)
  }

  private deliver(dispatch: Dispatch): void {
    for (const session of this.sessions.values()) {
      if (dispatch.intent && !(session.intents & dispatch.intent)) continue
      const blank = dispatch.contentGated && !(session.intents & INTENTS.messageContent)
      this.push(session, dispatch.t, blank ? blankContent(dispatch.d) : dispatch.d)
    }
  }

  /** op 7 to every open connection: discord.js closes with 4200 and RESUMEs on a new socket. */
  requestReconnect(): number {
    return this.eachOpen((c) => this.send(c, { op: 7, d: null, s: null, t: null }))
  }

  /** op 9 to every open connection; `resumable: false` also forgets the sessions (re-IDENTIFY needed). */
  invalidateSession(resumable: boolean): number {
    return this.eachOpen((c) => {
      if (!resumable && c.session) {
        this.sessions.delete(c.session.id)
        c.session = undefined
      }
      this.send(c, { op: 9, d: resumable, s: null, t: null })
    })
  }

  /** Closes every socket: without a code abruptly (the client sees 1006), else with that close code. Sessions survive. */
  drop(opts: { code?: number } = {}): number {
    return this.eachOpen((c) => {
      if (opts.code === undefined) {
        this.serverCloses.push(1006)
        c.ws.terminate()
      } else this.closeConn(c, opts.code)
    })
  }

  /** Arms trap 24 for the next successful RESUME (see README "Trap 24"). */
  armResumeRace(): void {
    this.raceArmed = true
  }

  private eachOpen(fn: (c: Conn) => void): number {
    const open = [...this.conns].filter((c) => c.ws.readyState === WebSocket.OPEN)
    open.forEach(fn)
    this.state.changed()
    return open.length
  }

  async close(): Promise<void> {
    for (const c of [...this.conns]) c.ws.terminate()
    this.conns.clear()
    this.sessions.clear()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}
