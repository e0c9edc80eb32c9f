// An HTTP proxy in front of a real OpenCode that strips `permission` from session creation, as
// a runtime that ignores session rules would (an old version, a fork). Everything else, the
// event stream included, passes through unchanged.
import { createServer, request, type Server } from "node:http"
import type { AddressInfo } from "node:net"

export async function startRuleDroppingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const to = new URL(target)
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      let body = Buffer.concat(chunks)
      const path = new URL(req.url ?? "/", target).pathname
      if (req.method === "POST" && path === "/session" && body.length > 0) {
        const json = JSON.parse(body.toString("utf8")) as Record<string, unknown>
        delete json.permission
        body = Buffer.from(JSON.stringify(json))
      }
      const headers = { ...req.headers, host: to.host, "content-length": String(body.length) }
      const up = request({ hostname: to.hostname, port: to.port, path: req.url, method: req.method, headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers)
        upRes.pipe(res)
      })
      up.on("error", () => res.destroy())
      res.on("close", () => up.destroy())
      up.end(body)
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
