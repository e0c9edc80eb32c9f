// An HTTP proxy in front of a real OpenCode that can misbehave the way broken runtimes do:
// strip `permission` from session creation (a runtime that ignores session rules: an old
// version, a fork), or accept chosen requests and never answer them (a hung runtime).
// Everything else, the event stream included, passes through unchanged.
import { createServer, request, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface RuntimeProxy {
  readonly url: string
  /** Requests matching `pred` from now on are accepted and never answered (until close). */
  hang(pred: (method: string, path: string, body: string) => boolean): void
  /** Writes `data` as one raw SSE frame into every open event stream, between two real frames. */
  inject(data: string): void
  /** How many requests are hanging right now. */
  hanging(): number
  close(): Promise<void>
}

export async function startRuntimeProxy(target: string, opts: { dropSessionRules?: boolean } = {}): Promise<RuntimeProxy> {
  const to = new URL(target)
  const hangs: Array<(method: string, path: string, body: string) => boolean> = []
  const held = new Set<ServerResponse>()
  const streams = new Set<{ queue: string[] }>()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      let body = Buffer.concat(chunks)
      const path = new URL(req.url ?? "/", target).pathname
      const method = req.method ?? "GET"
      if (hangs.some((h) => h(method, path, body.toString("utf8")))) {
        held.add(res)
        res.on("close", () => held.delete(res))
        return
      }
      if (opts.dropSessionRules && method === "POST" && path === "/session" && body.length > 0) {
        const json = JSON.parse(body.toString("utf8")) as Record<string, unknown>
        delete json.permission
        body = Buffer.from(JSON.stringify(json))
      }
      const headers = { ...req.headers, host: to.host, "content-length": String(body.length) }
      const up = request({ hostname: to.hostname, port: to.port, path: req.url, method, headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers)
        if (!/^\/(global\/)?event$/.test(path)) return void upRes.pipe(res)
        // Event streams go frame by frame, so injected frames land between real ones.
        const stream = { queue: [] as string[] }
        streams.add(stream)
        let pending = ""
        upRes.on("data", (chunk: Buffer) => {
          pending += chunk.toString("utf8")
          const cut = pending.lastIndexOf("\n\n")
          if (cut < 0) return
          res.write(pending.slice(0, cut + 2))
          pending = pending.slice(cut + 2)
          for (const frame of stream.queue.splice(0)) res.write(`data: ${frame}\n\n`)
        })
        upRes.on("end", () => res.end(pending))
        res.on("close", () => streams.delete(stream))
      })
      up.on("error", () => res.destroy())
      res.on("close", () => up.destroy())
      up.end(body)
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hang: (pred) => void hangs.push(pred),
    inject: (data) => {
      for (const s of streams) s.queue.push(data)
    },
    hanging: () => held.size,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
