// SSE decoding, 16 ms batching and the reconnecting event stream (against a tiny local SSE
// server the test controls: heartbeats, silence, server-side close, malformed frames).
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { Batcher, type Clock } from "../../src/runtime/batcher.ts"
import { EventStream } from "../../src/runtime/event-stream.ts"
import { backoffDelay } from "../../src/timing/backoff.ts"
import { isSyncFrame, parseEventData, type RuntimeEvent } from "../../src/runtime/events.ts"
import { SseDecoder } from "../../src/runtime/sse.ts"
import { silentLogger } from "../../src/log/logger.ts"
import { deferred } from "../harness/wait.ts"

describe("SseDecoder", () => {
  it("decodes events split at any byte, with CRLF, comments and multi-line data", () => {
    const wire = ': hello\r\ndata: {"a":1}\r\n\r\ndata: line1\ndata: line2\n\nevent: x\nid: 7\ndata: ünïcødé 🚀\n\n'
    const bytes = new TextEncoder().encode(wire)
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new SseDecoder()
      const out: string[] = []
      d.push(bytes.slice(0, cut), (x) => out.push(x))
      d.push(bytes.slice(cut), (x) => out.push(x))
      expect(out).toEqual(['{"a":1}', "line1\nline2", "ünïcødé 🚀"])
    }
  })
})

describe("parseEventData", () => {
  it("unwraps global frames, keeps the directory, drops sync and ignored frames", () => {
    const e = parseEventData('{"directory":"/p","payload":{"id":"evt_1","type":"session.idle","properties":{"sessionID":"s"}}}')
    expect(e).toEqual({ id: "evt_1", type: "session.idle", properties: { sessionID: "s" }, directory: "/p" })
    expect(parseEventData('{"directory":"/p","payload":{"type":"sync","syncEvent":{}}}')).toBeNull()
    expect(parseEventData('{"directory":"/p","payload":{"syncEvent":{},"type":"sync"}}')).toBeNull()
    // Judged without parsing: the mark right after the directory; a mark inside text never counts.
    expect(isSyncFrame('{"directory":"/srv/my repo","payload":{"type":"sync","syncEvent":{}}}')).toBe(true)
    expect(isSyncFrame('{"directory":"/a\\"b","payload":{"type":"sync"}}')).toBe(true)
    expect(isSyncFrame('{"directory":"/p","payload":{"type":"message.part.delta","properties":{"delta":"\\"payload\\":{\\"type\\":\\"sync\\""}}}')).toBe(false)
    expect(isSyncFrame('{"payload":{"type":"sync"},"directory":"/p"}')).toBe(true)
    expect(parseEventData('{"directory":"/p","payload":{"type":"plugin.added","properties":{}}}')).toBeNull()
    expect(parseEventData('{"type":"server.heartbeat","properties":{}}')?.type).toBe("server.heartbeat")
    expect(() => parseEventData("{not json")).toThrow(SyntaxError)
    expect(parseEventData('{"payload":{"properties":{}}}')).toBeNull()
  })
})

function manualClock() {
  let now = 0
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = []
  const clock: Clock = {
    now: () => now,
    schedule(fn, ms) {
      const t = { at: now + ms, fn, live: true }
      timers.push(t)
      return () => (t.live = false)
    },
  }
  const advance = (ms: number) => {
    now += ms
    for (const t of timers.filter((x) => x.live && x.at <= now)) {
      t.live = false
      t.fn()
    }
  }
  return { clock, advance }
}

describe("Batcher (16 ms)", () => {
  it("flushes the first item at once, coalesces within 16 ms, one batch per flush", () => {
    const { clock, advance } = manualClock()
    const batches: Array<[number[], number]> = []
    const b = new Batcher<number>({ clock, deliver: (items, first) => batches.push([items, first]) })
    b.push(1)
    expect(batches).toEqual([[[1], 0]])
    advance(5)
    b.push(2)
    b.push(3)
    advance(5)
    b.push(4)
    expect(batches).toHaveLength(1)
    advance(6)
    expect(batches).toEqual([[[1], 0], [[2, 3, 4], 1]])
    advance(100)
    b.push(5)
    expect(batches.at(-1)).toEqual([[5], 4])
  })

  it("holds items while a resync runs and releases them in one batch", () => {
    const { clock, advance } = manualClock()
    const batches: number[][] = []
    const b = new Batcher<number>({ clock, deliver: (items) => batches.push(items) })
    b.hold()
    b.push(1)
    advance(50)
    b.push(2)
    expect(batches).toEqual([])
    b.release()
    expect(batches).toEqual([[1, 2]])
  })
})

describe("backoff", () => {
  it("doubles up to the cap with jitter never below half", () => {
    const opts = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 }
    expect(backoffDelay(0, opts, () => 0)).toBe(500)
    expect(backoffDelay(0, opts, () => 1)).toBe(1000)
    expect(backoffDelay(3, opts, () => 1)).toBe(8000)
    expect(backoffDelay(10, opts, () => 1)).toBe(30_000)
    expect(backoffDelay(10, opts, () => 0)).toBe(15_000)
  })
})

describe("EventStream against a local SSE server", () => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })

  async function sseServer(onConnect: (res: ServerResponse, n: number) => void) {
    let n = 0
    const open = new Set<ServerResponse>()
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" })
      open.add(res)
      res.on("close", () => open.delete(res))
      onConnect(res, ++n)
    })
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
    close = () => {
      for (const r of open) r.destroy()
      return new Promise((r) => server.close(() => r()))
    }
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  const frame = (type: string, props: object = {}) => `data: ${JSON.stringify({ payload: { type, properties: props } })}\n\n`

  it("reconnects when even heartbeats stop, and resyncs with events held", async () => {
    const connects: number[] = []
    const url = await sseServer((res, n) => {
      connects.push(n)
      res.write(frame("server.connected"))
      res.write(frame("session.idle", { sessionID: `s${n}` }))
      // then silence: no heartbeat
    })
    const seen: string[] = []
    const second = deferred()
    let resyncs = 0
    const stream = new EventStream({
      url,
      log: silentLogger,
      heartbeatTimeoutMs: 200,
      backoff: { initialMs: 10, maxMs: 20 },
      onBatch: (events: RuntimeEvent[]) => {
        for (const e of events) seen.push(e.type === "session.idle" ? `idle:${e.properties.sessionID}` : e.type)
        if (seen.includes("idle:s2")) second.resolve()
      },
      onConnected: async () => {
        resyncs++
      },
    })
    stream.start()
    await second.promise
    await stream.stop()
    expect(connects.slice(0, 2)).toEqual([1, 2])
    expect(resyncs).toBeGreaterThanOrEqual(2)
    // The connected frame and what followed it were held during the resync, then delivered in order.
    expect(seen.slice(0, 4)).toEqual(["server.connected", "idle:s1", "server.connected", "idle:s2"])
  })

  it("resubscribes after the server ends the stream, and skips malformed frames", async () => {
    const url = await sseServer((res, n) => {
      res.write(frame("server.connected"))
      res.write("data: {broken\n\n")
      res.write(frame("session.idle", { sessionID: `s${n}` }))
      if (n === 1) res.end() // a dispose closes the stream normally
    })
    const got = deferred()
    const ids: string[] = []
    const stream = new EventStream({
      url,
      log: silentLogger,
      backoff: { initialMs: 10, maxMs: 20 },
      onBatch: (events) => {
        for (const e of events) if (e.type === "session.idle") ids.push(e.properties.sessionID)
        if (ids.includes("s2")) got.resolve()
      },
    })
    stream.start()
    await got.promise
    expect(stream.malformedFrames).toBeGreaterThanOrEqual(2)
    await stream.stop()
    expect(ids.slice(0, 2)).toEqual(["s1", "s2"])
  })

  it("retries the resync by reconnecting when it fails", async () => {
    let connects = 0
    const url = await sseServer((res) => {
      connects++
      res.write(frame("server.connected"))
      res.write(": keep-alive comment\n\n")
    })
    const ok = deferred()
    let attempts = 0
    const stream = new EventStream({
      url,
      log: silentLogger,
      backoff: { initialMs: 10, maxMs: 20 },
      onBatch: () => {},
      onConnected: async () => {
        if (++attempts < 3) throw new Error("runtime not ready")
        ok.resolve()
      },
    })
    stream.start()
    await ok.promise
    await stream.stop()
    expect(connects).toBe(3)
  })
})
