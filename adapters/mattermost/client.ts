// The connection to one Mattermost server: Client4 for REST (server root + bot token), the bot's
// identity and server limits read at start, and the WebSocketClient with reconnects, its Node
// globals, and a shutdown that leaves no socket or timer behind.
import mattermost from "@mattermost/client"
import type { Client4 as Client4Type, WebSocketMessage } from "@mattermost/client"
import type { ClientConfig } from "@mattermost/types/config"
import type { UserProfile } from "@mattermost/types/users"
import { WebSocket as WsWebSocket } from "ws"
import type { Logger } from "../../src/log/logger.ts"
import { withDeadline } from "../../src/timing/deadline.ts"
import { LIMITS } from "./limits.ts"
import { ensureWebSocketGlobals } from "./node-websocket.ts"
import type { Rest } from "./rest.ts"

// Default import only: the named ESM exports are not reliable (docs/platform-traps.md, Mattermost #25).
const { Client4, WebSocketClient } = mattermost

export type Client = Client4Type

export function createClient(url: string, token: string): Client {
  const client = new Client4()
  client.setUrl(url.replace(/\/+$/, ""))
  client.setToken(token)
  client.setIncludeCookies(false)
  client.setUserAgent("switchboard-relay")
  return client
}

export interface ServerFacts {
  me: UserProfile
  /** Runes per post (`MaxPostSize`). */
  maxPostSize: number
  /** `PostEditTimeLimit` in seconds; -1 = unlimited. */
  editLimitSec: number
}

export async function readServer(rest: Rest): Promise<ServerFacts> {
  const me = await rest.get<UserProfile>("read the bot's identity (GET /users/me)", `${rest.client.getUserRoute("me")}`)
  const config = await rest.get<Partial<ClientConfig>>(
    "read the client config",
    `${rest.client.getBaseRoute()}/config/client?format=old`,
  )
  const size = Number.parseInt(config.MaxPostSize ?? "", 10)
  const edit = Number.parseInt(config.PostEditTimeLimit ?? "", 10)
  return {
    me,
    maxPostSize: Number.isFinite(size) && size > 0 ? size : LIMITS.maxPostSizeFallback,
    editLimitSec: Number.isFinite(edit) ? edit : -1,
  }
}

export interface SocketHandlers {
  onEvent(msg: WebSocketMessage): void
  /** Events may have been missed (every reconnect, and a first connect after failures): resync. */
  onMissed(): void
}

/**
 * The WebSocketClient plus what it lacks in Node: globals (docs/platform-traps.md, Mattermost #4
 * and #26), the missed-message listener it needs to accept a new connection id (Mattermost #3),
 * and a real close — its `close()` only closes an OPEN socket and leaves a connecting one to open
 * later (with a ping interval).
 */
export class BotSocket {
  private readonly ws: InstanceType<typeof WebSocketClient>
  private readonly log: Logger
  private current: WsWebSocket | undefined
  private closing = false
  private helloSeen = false
  private failuresBeforeHello = 0
  private readonly connected: Promise<void>
  private markConnected: () => void = () => {}

  constructor(client: Client, token: string, opts: { minRetryMs: number; jitterMs: number }, handlers: SocketHandlers, log: Logger) {
    this.log = log
    ensureWebSocketGlobals()
    this.connected = new Promise((resolve) => (this.markConnected = resolve))
    this.ws = new WebSocketClient({
      minWebSocketRetryTime: opts.minRetryMs,
      reconnectJitterRange: opts.jitterMs,
      newWebSocketFn: (url) => {
        this.current = new WsWebSocket(url)
        return this.current as unknown as WebSocket
      },
    })
    this.ws.addMessageListener((msg) => {
      if (msg.event === "hello") this.onHello(handlers)
      handlers.onEvent(msg)
    })
    this.ws.addMissedMessageListener(() => {
      log.info("Mattermost WebSocket reconnected with a new connection; recovering missed posts")
      handlers.onMissed()
    })
    // Opened while shutting down: close again once the open handler has finished (it starts pinging).
    const reclose = () => this.closing && queueMicrotask(() => this.ws.close())
    this.ws.addFirstConnectListener(reclose)
    this.ws.addReconnectListener(reclose)
    this.ws.addCloseListener((failures) => {
      if (this.closing) return queueMicrotask(() => this.ws.close())
      if (!this.helloSeen) this.failuresBeforeHello++
      log.warn({ failures }, "Mattermost WebSocket closed; reconnecting")
    })
    this.ws.addErrorListener(() => log.debug("Mattermost WebSocket error (a reconnect follows)"))
    this.ws.initialize(client.getWebSocketUrl(), token)
  }

  /** Resolves at the first `hello`, or after `timeoutMs` (false) while the client keeps retrying. */
  async waitConnected(timeoutMs: number): Promise<boolean> {
    return (await withDeadline(this.connected, timeoutMs)).done
  }

  async close(): Promise<void> {
    this.closing = true
    this.markConnected()
    this.ws.close()
    const sock = this.current
    if (!sock || sock.readyState === WsWebSocket.CLOSED) return
    await new Promise<void>((resolve) => {
      const cut = setTimeout(() => sock.terminate(), sock.readyState === WsWebSocket.CONNECTING ? 0 : LIMITS.closeGraceMs)
      sock.once("close", () => {
        clearTimeout(cut)
        resolve()
      })
    })
  }

  private onHello(handlers: SocketHandlers): void {
    if (this.helloSeen) return
    this.helloSeen = true
    this.markConnected()
    this.log.info("Mattermost WebSocket connected")
    // The library calls the missed-message listener only when a known connection id changes.
    if (this.failuresBeforeHello > 0) handlers.onMissed()
  }
}
