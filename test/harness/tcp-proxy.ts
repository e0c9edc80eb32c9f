// A loopback TCP proxy a test controls: it forwards to a target and can cut every open
// connection (to simulate a network gap) or refuse new ones for a while.
import { createServer, connect, type Socket } from "node:net"
import type { AddressInfo } from "node:net"

export interface TcpProxy {
  readonly url: string
  readonly port: number
  /** Destroys every open connection (both directions). */
  cut(): void
  /** While refusing, new connections are closed at once. */
  refuse(on: boolean): void
  connections(): number
  close(): Promise<void>
}

export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>()
  let refusing = false
  const server = createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    const upstream = connect(target.port, target.host ?? "127.0.0.1")
    open.add(client)
    open.add(upstream)
    const drop = () => {
      open.delete(client)
      open.delete(upstream)
      client.destroy()
      upstream.destroy()
    }
    client.on("error", drop).on("close", drop)
    upstream.on("error", drop).on("close", drop)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    cut() {
      for (const s of [...open]) s.destroy()
      open.clear()
    },
    refuse(on) {
      refusing = on
    },
    connections: () => open.size / 2,
    close() {
      for (const s of [...open]) s.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
