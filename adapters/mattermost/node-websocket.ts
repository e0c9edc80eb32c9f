// Node globals that @mattermost/client's WebSocketClient needs (docs/platform-traps.md,
// Mattermost #4 and #26): it reads the global `WebSocket` (for `WebSocket.OPEN`, and to construct
// sockets unless `newWebSocketFn` is given) and builds `new CloseEvent(...)` on ping timeouts and
// sequence mismatches. Node 20 has neither, Node 22 has `WebSocket` only, Node 24 has both.
//
// Import the client with the default import (Mattermost #25): the package is CommonJS, and Node 20's
// ESM loader cannot see its named exports; Node 22+ happens to, the default import works on all:
//   import mattermost from "@mattermost/client"
//   const { Client4, WebSocketClient } = mattermost
// (`import type { Client4 } from "@mattermost/client"` is fine for types only.)
import { WebSocket as WsWebSocket } from "ws"

/** A minimal `CloseEvent`: an `Event` with `code`, `reason` and `wasClean`. */
export class CloseEventPolyfill extends Event {
  readonly code: number
  readonly reason: string
  readonly wasClean: boolean
  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type)
    this.code = init.code ?? 0
    this.reason = init.reason ?? ""
    this.wasClean = init.wasClean ?? false
  }
}

/**
 * Sets `WebSocket` (to the `ws` class) and `CloseEvent` (to the polyfill) on `target` where they
 * are missing; an existing implementation is kept. Idempotent. Returns what it installed.
 */
export function ensureWebSocketGlobals(target: object = globalThis): { webSocket: boolean; closeEvent: boolean } {
  const g = target as { WebSocket?: unknown; CloseEvent?: unknown }
  const installed = { webSocket: false, closeEvent: false }
  if (typeof g.WebSocket !== "function") {
    g.WebSocket = WsWebSocket
    installed.webSocket = true
  }
  if (typeof g.CloseEvent !== "function") {
    g.CloseEvent = CloseEventPolyfill
    installed.closeEvent = true
  }
  return installed
}

/**
 * A `newWebSocketFn` for WebSocketClient that always uses `ws` (whatever the global is), e.g. to
 * send headers on the upgrade. `ws` has the same readyState numbers as the global the client reads.
 */
export function wsWebSocketFn(headers?: Record<string, string>): (url: string) => WebSocket {
  return (url) => new WsWebSocket(url, headers ? { headers } : undefined) as unknown as WebSocket
}
