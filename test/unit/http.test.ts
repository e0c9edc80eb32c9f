// The relay's HTTP server at its edges, over real sockets: malformed request targets are the
// client's error (400, nothing logged as an error), HEAD answers wherever GET does, a client
// that hangs up mid-body is not an error, and every failure is JSON with a `code`.
import { connect } from "node:net"
import { Writable } from "node:stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { requestTarget, startHttpServer, withCode, type HttpServer } from "../../src/app/http.ts"
import type { HttpRequest, HttpRoute } from "../../src/chat/types.ts"
import { createLogger } from "../../src/log/logger.ts"
import { until, type Subscribe } from "../harness/wait.ts"

interface Line {
  level: number
  msg: string
  [key: string]: unknown
}

/** A logger whose lines the test can read and wait for. */
function capturingLog() {
  const lines: Line[] = []
  const listeners = new Set<() => void>()
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString("utf8").split("\n")) if (text.trim()) lines.push(JSON.parse(text) as Line)
      for (const notify of listeners) notify()
      done()
    },
  })
  const changes: Subscribe = (notify) => {
    listeners.add(notify)
    return () => listeners.delete(notify)
  }
  return { log: createLogger({ level: "debug", destination }), lines, changes }
}

/** Sends raw bytes, then reads until the server closes or `end` is true of what came back. */
function raw(port: number, bytes: string, opts: { closeAfterWrite?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = ""
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(bytes)
      if (opts.closeAfterWrite) socket.end()
    })
    socket.setEncoding("utf8")
    socket.on("data", (d: string) => (got += d))
    socket.on("error", reject)
    socket.on("close", () => resolve(got))
  })
}

function parse(response: string) {
  const [head = "", body = ""] = response.split("\r\n\r\n")
  const [status = "", ...fields] = head.split("\r\n")
  const headers = Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf(":")).toLowerCase(), f.slice(f.indexOf(":") + 1).trim()]))
  return { status: Number(status.split(" ")[1]), headers, body }
}

describe("HTTP server edges", () => {
  const { log, lines, changes } = capturingLog()
  const seen: HttpRequest[] = []
  let healthy = true
  let server: HttpServer
  const routes: HttpRoute[] = [
    { method: "POST", path: "/echo", handle: async (req) => (seen.push(req), { status: 200, body: JSON.stringify({ got: req.body.toString() }) }) },
    { method: "POST", path: "/boom", handle: async () => Promise.reject(new Error("the handler broke")) },
    { method: "POST", path: "/refuse", handle: async () => ({ status: 403, headers: { "content-type": "application/json" }, body: JSON.stringify({ error: "not you" }) }) },
    { method: "GET", path: "/plain-failure", handle: async () => ({ status: 502, body: "upstream said no" }) },
    { method: "GET", path: "/thing", handle: async () => ({ status: 200, headers: { "x-thing": "yes" }, body: JSON.stringify({ thing: true }) }) },
  ]
  const errors = () => lines.filter((l) => l.level >= 50)

  beforeAll(async () => {
    server = await startHttpServer({ host: "127.0.0.1", port: 0, routes, health: () => ({ ok: healthy, runtime: "up" }), log })
  })
  afterAll(() => server.close())

  it.each(["//%%%", "http://[", "/a%zz", "http://h/%%", "*"])("a malformed request target %s answers 400 with a code, logging no error", async (target) => {
    const res = parse(await raw(server.port, `GET ${target} HTTP/1.1\r\nHost: relay\r\n\r\n`))
    expect(res.status).toBe(400)
    expect(res.headers["content-type"]).toBe("application/json")
    expect(JSON.parse(res.body)).toEqual({ error: "malformed request target", code: "bad_request" })
    expect(errors()).toEqual([])
  })

  it("a request node cannot parse at all answers 400 JSON too", async () => {
    const res = parse(await raw(server.port, "GET http://a b HTTP/1.1\r\nHost: relay\r\n\r\n"))
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toMatchObject({ code: "bad_request" })
    expect(errors()).toEqual([])
  })

  it("reads a path of two slashes as a path, not as a host", async () => {
    expect(parse(await raw(server.port, "GET // HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n")).status).toBe(404)
    const res = parse(await raw(server.port, "GET //healthz HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n"))
    expect(res.status).toBe(404)
    expect(JSON.parse(res.body)).toEqual({ error: "no route for GET //healthz", code: "not_found" })
  })

  it("accepts the absolute form of a target", async () => {
    const res = parse(await raw(server.port, "GET http://relay.example/healthz HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n"))
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual({ ok: true, runtime: "up" })
  })

  it("HEAD /healthz answers the status and headers of GET without a body", async () => {
    const get = await fetch(`${server.url}/healthz`)
    const head = await fetch(`${server.url}/healthz`, { method: "HEAD" })
    expect(head.status).toBe(200)
    expect(head.headers.get("content-type")).toBe("application/json")
    expect(head.headers.get("content-length")).toBe(get.headers.get("content-length"))
    expect(await head.text()).toBe("")
    // On the wire: the answer ends right after the headers (the next request's answer follows).
    const wire = await raw(server.port, "HEAD /healthz HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n")
    expect(wire.endsWith("\r\n\r\n")).toBe(true)
    healthy = false
    try {
      expect((await fetch(`${server.url}/healthz`, { method: "HEAD" })).status).toBe(503)
    } finally {
      healthy = true
    }
  })

  it("HEAD works on GET routes too; other methods on a known path answer 405 with Allow", async () => {
    const head = await fetch(`${server.url}/thing`, { method: "HEAD" })
    expect(head.status).toBe(200)
    expect(head.headers.get("x-thing")).toBe("yes")
    expect(await head.text()).toBe("")
    const post = await fetch(`${server.url}/healthz`, { method: "POST" })
    expect(post.status).toBe(405)
    expect(post.headers.get("allow")).toBe("GET, HEAD")
    expect(await post.json()).toMatchObject({ code: "method_not_allowed" })
    const get = await fetch(`${server.url}/echo`)
    expect(get.status).toBe(405)
    expect(get.headers.get("allow")).toBe("POST")
  })

  it("a client that sends a Content-Length and closes mid-body is not logged as an error", async () => {
    const before = lines.length
    const before_seen = seen.length
    await raw(server.port, "POST /echo HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"half\":", { closeAfterWrite: true })
    await until(() => lines.slice(before).find((l) => /went away/.test(l.msg)), changes, { what: "the server noticing the client left" })
    expect(lines.slice(before).filter((l) => l.level >= 40)).toEqual([])
    expect(seen.length).toBe(before_seen)
    // The server still answers the next request.
    const ok = await fetch(`${server.url}/echo`, { method: "POST", body: "whole" })
    expect(await ok.json()).toEqual({ got: "whole" })
  })

  it("a handler that throws answers 500 JSON with a code, and the error is logged", async () => {
    const res = await fetch(`${server.url}/boom`, { method: "POST", body: "{}" })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ error: "internal error; see the relay's log", code: "internal" })
    expect(errors().map((l) => l.msg)).toEqual(["HTTP handler failed"])
    lines.length = 0
  })

  it("a route's failure answer gets a code: added to its JSON, or wrapping its text", async () => {
    const refused = await fetch(`${server.url}/refuse`, { method: "POST", body: "{}" })
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({ error: "not you", code: "forbidden" })
    const plain = await fetch(`${server.url}/plain-failure`)
    expect(plain.status).toBe(502)
    expect(plain.headers.get("content-type")).toBe("application/json")
    expect(await plain.json()).toEqual({ error: "upstream said no", code: "bad_gateway" })
  })

  it("unknown paths and oversized bodies answer JSON with a code", async () => {
    const missing = await fetch(`${server.url}/nowhere`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: "no route for GET /nowhere", code: "not_found" })
    const big = parse(await raw(server.port, `POST /echo HTTP/1.1\r\nHost: relay\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`))
    expect(big.status).toBe(413)
    expect(JSON.parse(big.body)).toMatchObject({ code: "body_too_large" })
    expect(errors()).toEqual([])
  })
})

describe("requestTarget and withCode", () => {
  it("parses origin and absolute forms, refuses the rest", () => {
    expect(requestTarget("/a/b?x=1")?.pathname).toBe("/a/b")
    expect(requestTarget("/a/b?x=1")?.searchParams.get("x")).toBe("1")
    expect(requestTarget("//evil.example/x")?.pathname).toBe("//evil.example/x")
    expect(requestTarget("http://h/p")?.pathname).toBe("/p")
    expect(requestTarget(undefined)?.pathname).toBe("/")
    expect(requestTarget("/a%20b%2F")?.pathname).toBe("/a%20b%2F")
    for (const bad of ["//%%%", "/%", "/%4", "/?q=%zz", "http://[", "*", "relative", "ftp://h/p"]) expect(requestTarget(bad)).toBeUndefined()
  })

  it("leaves successes and coded failures alone", () => {
    const ok = { status: 200, body: "x" }
    expect(withCode(ok)).toBe(ok)
    const coded = { status: 409, body: JSON.stringify({ error: "e", code: "mine" }) }
    expect(withCode(coded)).toBe(coded)
    expect(JSON.parse(withCode({ status: 418 }).body ?? "")).toEqual({ error: "I'm a Teapot", code: "http_418" })
  })
})
