// Prometheus metrics (prom-client) for one relay: turns by platform and outcome, what the
// outbox sent and what the platforms refused, queue depths, open approvals and queued prompts,
// the runtime stream, and histograms of mention → first visible text and of staleness (how
// long new text waited before people could see it). One registry per relay, so tests can run
// several in one process. Served at /metrics by the HTTP server.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client"
import type { OutboxObserver } from "../delivery/outbox.ts"
import type { Relay } from "./relay.ts"

const platformOf = (thread: string) => thread.split(":", 1)[0] ?? "unknown"

export interface Metrics {
  readonly registry: Registry
  /** The outbox observer for one platform. */
  observer(platform: string): OutboxObserver
  /** Starts following a relay's events and state. */
  attach(relay: Relay): void
  /** The text exposition a scrape returns. */
  render(): Promise<string>
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: "switchboard_" })
  const registers = [registry]
  const platform = ["platform"] as const
  const turnsStarted = new Counter({ name: "switchboard_turns_started_total", help: "Turns (prompts sent to the runtime), by platform.", labelNames: platform, registers })
  const turnsFinished = new Counter({ name: "switchboard_turns_finished_total", help: "Turns that ended, by platform and state (done or failed).", labelNames: ["platform", "state"] as const, registers })
  const posts = new Counter({ name: "switchboard_posts_sent_total", help: "Messages posted, by platform.", labelNames: platform, registers })
  const edits = new Counter({ name: "switchboard_edits_sent_total", help: "Message edits sent, by platform.", labelNames: platform, registers })
  const appends = new Counter({ name: "switchboard_stream_appends_sent_total", help: "Appends to native streams (a stream's start included), by platform.", labelNames: platform, registers })
  const limited = new Counter({ name: "switchboard_rate_limited_total", help: "Rate-limit (429) answers received from the platform, by platform.", labelNames: platform, registers })
  const retries = new Counter({ name: "switchboard_retries_total", help: "Calls retried after a transient platform error, by platform.", labelNames: platform, registers })
  const staleness = new Histogram({
    name: "switchboard_staleness_seconds",
    help: "How long new content waited before it was visible on the platform.",
    labelNames: platform,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers,
  })
  const firstText = new Histogram({
    name: "switchboard_first_text_seconds",
    help: "From a prompt to the first visible message of its answer.",
    labelNames: platform,
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers,
  })
  let relay: Relay | undefined
  new Gauge({
    name: "switchboard_outbox_queue_depth",
    help: "Platform calls waiting or running, by platform.",
    labelNames: platform,
    registers,
    collect() {
      this.reset()
      for (const s of relay?.surfaces ?? []) this.set({ platform: s.platform }, s.outbox.limiters.depth())
    },
  })
  new Gauge({
    name: "switchboard_open_approvals",
    help: "Permission and question requests waiting for an answer in chat.",
    registers,
    collect() {
      this.set(relay ? relay.repos.interactions.open().length : 0)
    },
  })
  new Gauge({
    name: "switchboard_queued_prompts",
    help: "Follow-ups waiting for their thread's turn to end.",
    registers,
    collect() {
      this.set(relay ? (relay.repos.db.prepare("SELECT COUNT(*) AS n FROM queued_prompts").get() as { n: number }).n : 0)
    },
  })
  new Gauge({
    name: "switchboard_runtime_stream_connected",
    help: "1 while the runtime's event stream is connected.",
    registers,
    collect() {
      this.set(relay?.sync.stream.state === "connected" ? 1 : 0)
    },
  })
  new Counter({
    name: "switchboard_runtime_reconnects_total",
    help: "Times the runtime's event stream connected again after the first time.",
    registers,
    collect() {
      this.reset()
      this.inc(Math.max(0, (relay?.sync.stream.connections ?? 0) - 1))
    },
  })

  return {
    registry,
    observer(name) {
      const label = { platform: name }
      return {
        sent(op, ms) {
          ;(op === "post" ? posts : op === "edit" ? edits : appends).inc(label)
          staleness.observe(label, ms / 1000)
        },
        rateLimited: () => limited.inc(label),
        retried: () => retries.inc(label),
      }
    },
    attach(r) {
      relay = r
      const ev = r.conversations.events
      ev.on("turn.started", (thread) => turnsStarted.inc({ platform: platformOf(thread) }))
      ev.on("turn.finished", (thread, _turn, state) => turnsFinished.inc({ platform: platformOf(thread), state }))
      ev.on("turn.visible", (thread, _turn, ms) => firstText.observe({ platform: platformOf(thread) }, ms / 1000))
    },
    render: () => registry.metrics(),
  }
}
