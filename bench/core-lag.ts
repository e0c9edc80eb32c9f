// Event-loop lag with 200 turns streaming at once, in real time, through what the relay runs
// per bound thread: the core path (pipeline.ts: parse → 16 ms batching → store → router), a
// `TurnRun` per thread (render from the store, `TurnStream` layout and split, outbox slots,
// typing, its turn recorded in SQLite) and the in-memory platform with Mattermost's real
// capabilities and rate rules, 40 ms call latency, enforcing Mattermost's published limits.
// Each session replays the recorded `text` stream (a 1.6 KB answer in 241 deltas, `sync`
// duplicates included) at one frame per LINE_MS, sessions starting over one second. Measured by
// `perf_hooks.monitorEventLoopDelay` while the frames stream (delay past its 10 ms interval);
// baseline in the same run, after it: the same feed with each frame only JSON.parse-d.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { MemoryAdapter } from "../adapters/memory/adapter.ts"
import type { TurnRun } from "../src/core/conversations/turn-run.ts"
import { Outbox } from "../src/delivery/outbox.ts"
import { silentLogger } from "../src/log/logger.ts"
import { Batcher, systemClock } from "../src/runtime/batcher.ts"
import { parseEventData, type RuntimeEvent } from "../src/runtime/events.ts"
import { openDatabase } from "../src/storage/db.ts"
import { createTurnRepo } from "../src/storage/turns.ts"
import { publishedLimits } from "../test/harness/budget-profiles.ts"
import { lastTurnText } from "../test/harness/text.ts"
import { mattermostCapabilities } from "./mattermost-capabilities.ts"
import { gc, makeCore } from "./pipeline.ts"
import { benchTurnRun } from "./threads.ts"
import { copies } from "./workload.ts"

export interface LagFigures {
  turns: number
  p99Ms: number
  maxMs: number
  baselineP99Ms: number
  frames: number
  streamMs: number
  textMismatches: number
  /** Threads whose answer was visible (at least one message) when the measurement ended. */
  threadsShowing: number
}

const LINE_MS = 12
const TICK_MS = 5
const STAGGER_MS = 1_000

/** Streams every session's lines in real time: line j of session k at k·stagger + j·LINE_MS. */
async function stream(sessions: string[][], onLine: (line: string) => void): Promise<{ frames: number; ms: number }> {
  const start = performance.now()
  const next = sessions.map(() => 0)
  const offset = sessions.map((_, k) => (k * STAGGER_MS) / sessions.length)
  let frames = 0
  for (let left = sessions.length; left > 0; ) {
    await new Promise((r) => setTimeout(r, TICK_MS))
    const now = performance.now() - start
    for (let k = 0; k < sessions.length; k++) {
      const lines = sessions[k]!
      if (next[k]! >= lines.length) continue
      while (next[k]! < lines.length && offset[k]! + next[k]! * LINE_MS <= now) {
        onLine(lines[next[k]!]!)
        next[k]!++
        frames++
      }
      if (next[k]! >= lines.length) left--
    }
  }
  return { frames, ms: performance.now() - start }
}

function userMessageOf(lines: string[]): string {
  for (const line of lines) {
    const p = (JSON.parse(line) as { payload?: { type?: string; properties?: { info?: { id: string; role?: string } } } }).payload
    if (p?.type === "message.updated" && p.properties?.info?.role === "user") return p.properties.info.id
  }
  throw new Error("no user message in the recording")
}

const RESOLUTION_MS = 10

/**
 * Event-loop delay while `fn` runs: how late the monitor's timer fired, past its interval (the
 * histogram records whole intervals between samples, so the interval is subtracted).
 */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; p99: number; max: number }> {
  gc()
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  h.enable()
  const result = await fn()
  h.disable()
  const late = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS)
  return { result, p99: late(h.percentile(99)), max: late(h.max) }
}

export async function runLagBench(opts: { turns?: number } = {}): Promise<LagFigures> {
  const turns = opts.turns ?? 200
  const { streams, expected } = copies(turns, { shape: "stream", fixtures: ["text"], tag: "lag" })

  const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-"))
  const db = openDatabase(join(dir, "bench.db"))
  const repo = createTurnRepo(db)
  const adapter = new MemoryAdapter({ platform: "mattermost", capabilities: mattermostCapabilities, latencyMs: 40, limits: publishedLimits.mattermost })
  const outbox = new Outbox({ adapter, log: silentLogger })
  const surface = { platform: "mattermost", adapter, outbox }
  const core = makeCore()
  const runs: TurnRun[] = []
  streams.forEach((lines, k) => {
    const sessionID = [...expected[k]!.sessionIDs][0]!
    const run = benchTurnRun({ store: core.store, turns: repo, surface, channel: `c${k % 20}`, sessionID, userMessageID: userMessageOf(lines) })
    runs.push(run)
    // What Conversation.attach subscribes (no requests in this recording).
    core.router.subscribe(sessionID, { onChange: () => run.check() })
    run.begin()
  })
  const batcher = new Batcher<RuntimeEvent>({ clock: systemClock, deliver: (events, first) => core.store.applyBatch(events, first) })
  const onLine = (line: string) => {
    let event: RuntimeEvent | null
    try {
      event = parseEventData(line)
    } catch {
      return
    }
    if (event) batcher.push(event)
  }
  const relay = await measure(async () => {
    const s = await stream(streams, onLine)
    batcher.flush()
    return s
  })
  const threadsShowing = runs.filter((r) => adapter.visible(r.record.thread).length > 0).length
  let textMismatches = 0
  streams.forEach((_, k) => {
    const id = [...expected[k]!.sessionIDs][0]!
    if (lastTurnText(core.store.session(id)) !== expected[k]!.fx.expected.finalText) textMismatches++
  })
  for (const r of runs) r.suspend()
  core.router.stop()
  await outbox.stop()
  db.close()
  rmSync(dir, { recursive: true, force: true })
  // Baseline: the same frames on the same schedule, each only parsed.
  let sink = 0
  const baseline = await measure(() => stream(streams, (line) => (sink += JSON.parse(line) ? 1 : 0)))
  if (sink < 0) console.log(sink)
  return {
    turns,
    p99Ms: Number(relay.p99.toFixed(2)),
    maxMs: Number(relay.max.toFixed(2)),
    baselineP99Ms: Number(baseline.p99.toFixed(2)),
    frames: relay.result.frames,
    streamMs: Math.round(relay.result.ms),
    textMismatches,
    threadsShowing,
  }
}
