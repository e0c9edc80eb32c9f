// The runtime's event stream with our own outer loop: connect to `/global/event`, decode SSE,
// parse, batch every 16 ms, and deliver. Reconnects with exponential backoff and jitter; a
// watchdog reconnects when even heartbeats (every 10 s) stop. The server replays nothing after
// a gap, so on every `server.connected` the `onConnected` hook (the resync) runs while events
// are held, and the held events are delivered after it.
import type { Logger } from "../log/logger.ts"
import { backoffDelay, type BackoffOptions as DelayOptions } from "../timing/backoff.ts"
import { Batcher, type Clock } from "./batcher.ts"
import { parseEventData, type RuntimeEvent } from "./events.ts"
import { SseDecoder } from "./sse.ts"

export interface BackoffOptions extends DelayOptions {
  /** A connection that stayed up this long resets the delay to `initialMs`. */
  resetAfterMs: number
}

export type StreamState = "connecting" | "connected" | "waiting" | "stopped"

export interface EventStreamOptions {
  url: string
  headers?: Record<string, string>
  path?: string
  heartbeatTimeoutMs?: number
  /** How long a (re)connect may wait for the response headers (a booting runtime accepts and says nothing). */
  connectTimeoutMs?: number
  backoff?: Partial<BackoffOptions>
  batchMs?: number
  clock?: Clock
  log: Logger
  onBatch(events: RuntimeEvent[], firstIndex: number): void
  /** Runs after each (re)connect with events held; the resync lives here. */
  onConnected?(info: { reconnect: boolean }): Promise<void>
  onState?(state: StreamState, detail?: string): void
}


export class EventStream {
  private readonly opts: EventStreamOptions
  private readonly backoff: BackoffOptions
  private readonly batcher: Batcher<RuntimeEvent>
  private abort: AbortController | null = null
  private stopped = true
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private lastFrameAt = 0
  private connects = 0
  private malformed = 0
  state: StreamState = "stopped"

  constructor(opts: EventStreamOptions) {
    this.opts = opts
    this.backoff = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000, ...opts.backoff }
    this.batcher = new Batcher<RuntimeEvent>({
      intervalMs: opts.batchMs ?? 16,
      ...(opts.clock ? { clock: opts.clock } : {}),
      deliver: (events, first) => this.deliver(events, first),
    })
  }

  /** Connections made (each one after the first is a reconnect). */
  get connections(): number {
    return this.connects
  }

  /** Events received since start; the arrival index of the next event. */
  get received(): number {
    return this.batcher.count
  }

  get malformedFrames(): number {
    return this.malformed
  }

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.abort?.abort()
    this.wake?.()
    await this.loop
    this.batcher.clear()
    this.setState("stopped")
  }

  /** Drops the current connection (the loop reconnects). For operators and tests. */
  reconnect(reason = "requested"): void {
    this.opts.log.info({ reason }, "dropping runtime event stream")
    this.abort?.abort(new Error(reason))
  }

  private setState(state: StreamState, detail?: string) {
    this.state = state
    this.opts.onState?.(state, detail)
  }

  private deliver(events: RuntimeEvent[], first: number) {
    try {
      this.opts.onBatch(events, first)
    } catch (err) {
      this.opts.log.error({ err }, "event batch handler failed; the batch was dropped")
    }
  }

  private async run(): Promise<void> {
    let attempt = 0
    while (!this.stopped) {
      this.setState("connecting")
      const started = Date.now()
      const reason = await this.connectOnce()
      if (this.stopped) break
      if (Date.now() - started >= this.backoff.resetAfterMs) attempt = 0
      const delay = backoffDelay(attempt++, this.backoff)
      this.opts.log.warn({ reason, retryInMs: delay }, "runtime event stream disconnected")
      this.setState("waiting", reason)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay)
        this.wake = () => {
          clearTimeout(t)
          resolve()
        }
      })
      this.wake = null
    }
  }

  /** One connection, from request to end; resolves with why it ended. */
  private async connectOnce(): Promise<string> {
    const abort = new AbortController()
    this.abort = abort
    const timeout = this.opts.heartbeatTimeoutMs ?? 30_000
    const watchdog = setInterval(() => {
      if (this.lastFrameAt && Date.now() - this.lastFrameAt > timeout) abort.abort(new Error(`no event or heartbeat for ${timeout} ms`))
    }, Math.min(5_000, Math.max(50, timeout / 4)))
    let connected = false
    const connectMs = this.opts.connectTimeoutMs ?? 10_000
    const connectTimer = setTimeout(() => abort.abort(new Error(`no response within ${connectMs} ms of connecting`)), connectMs)
    try {
      const url = new URL(this.opts.path ?? "/global/event", this.opts.url)
      const res = await fetch(url, {
        headers: { accept: "text/event-stream", ...this.opts.headers },
        signal: abort.signal,
      })
      clearTimeout(connectTimer)
      if (!res.ok || !res.body) {
        const hint = res.status === 401 ? " (check runtime.password)" : ""
        return `HTTP ${res.status}${hint}`
      }
      this.lastFrameAt = Date.now()
      const decoder = new SseDecoder()
      const onData = (data: string) => {
        let event: RuntimeEvent | null
        try {
          event = parseEventData(data)
        } catch (err) {
          this.malformed++
          if (this.malformed <= 5 || this.malformed % 1000 === 0) {
            this.opts.log.warn({ count: this.malformed, reason: (err as Error).message, sample: data.slice(0, 120) }, "skipped a malformed runtime event")
          }
          return
        }
        if (!event) return
        if (event.type === "server.connected") {
          connected = true
          this.onConnected()
        }
        this.batcher.push(event)
      }
      for await (const chunk of res.body) {
        this.lastFrameAt = Date.now()
        decoder.push(chunk as Uint8Array, onData)
      }
      return connected ? "stream ended by the server" : "stream ended before server.connected"
    } catch (err) {
      if (abort.signal.aborted) {
        const r = abort.signal.reason
        return r instanceof Error ? r.message : "aborted"
      }
      return err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err)
    } finally {
      clearTimeout(connectTimer)
      clearInterval(watchdog)
      this.lastFrameAt = 0
      this.batcher.flush()
    }
  }

  private onConnected() {
    const reconnect = this.connects++ > 0
    this.setState("connected")
    this.opts.log.info({ reconnect }, "runtime event stream connected")
    const hook = this.opts.onConnected
    if (!hook) return
    this.batcher.flush()
    this.batcher.hold()
    hook({ reconnect })
      .then(
        () => this.batcher.release(),
        (err) => {
          // Without a resync we could miss text or a permission request: deliver what we have,
          // then reconnect so the resync runs again (with backoff).
          this.opts.log.error({ err }, "resync after connect failed; reconnecting to retry it")
          this.batcher.release()
          this.reconnect("resync failed")
        },
      )
  }
}
