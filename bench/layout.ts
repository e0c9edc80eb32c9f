// Layout CPU of one streamed answer: the recorded `text` session's events set up the store
// (user message, assistant message, an empty text part), then the part grows by 300-character
// deltas applied through `Store.applyBatch` (not timed), and after each the turn's real
// `TurnRun.stream` is touched and laid out (`TurnStream.layout()`: render from the store with
// `TurnRun.blocks()`, format, split for Mattermost's real capabilities) — timed, summed per turn.
// The text is markdown prose with code fences. Baseline in the same run: the naive layout,
// `splitMarkdown(formatBlocks(blocks))` of the whole render from scratch after every delta.
import { MemoryAdapter } from "../adapters/memory/adapter.ts"
import { Store } from "../src/core/store/store.ts"
import { Outbox } from "../src/delivery/outbox.ts"
import { formatBlocks } from "../src/delivery/render/format.ts"
import { splitMarkdown } from "../src/delivery/split-markdown.ts"
import { silentLogger } from "../src/log/logger.ts"
import type { RuntimeEvent } from "../src/runtime/events.ts"
import { openDatabase } from "../src/storage/db.ts"
import { createTurnRepo } from "../src/storage/turns.ts"
import { loadFixture } from "../test/harness/fixtures.ts"
import { SyntheticTurn } from "../test/harness/synthetic-turn.ts"
import { median } from "./accounting.ts"
import { mattermostCapabilities as caps } from "./mattermost-capabilities.ts"
import { gc } from "./pipeline.ts"
import { benchTurnRun } from "./threads.ts"

export const STEP = 300

export interface LayoutFigures {
  size: number
  layouts: number
  /** Summed over the turn: the real layout, and the naive one. */
  ms: number
  baselineMs: number
  maxMs: number
  baselineMaxMs: number
  chunks: number
}

function answer(size: number): string {
  const t = new SyntheticTurn({ size: size + 4_000, seed: 11 })
  return `${t.before}\n\n${t.after}`.slice(0, size)
}

/** A store holding the recorded session up to its first text delta, and a delta maker. */
function setUp(): { store: Store; sessionID: string; userMessageID: string; delta: (text: string) => RuntimeEvent } {
  const fx = loadFixture("text")
  const user = fx.events.find((e) => e.type === "message.updated" && e.properties.info.role === "user")
  if (!user || user.type !== "message.updated") throw new Error("no user message in the recording")
  const textPart = fx.events.find((e) => e.type === "message.part.updated" && e.properties.part.type === "text" && e.properties.part.messageID !== user.properties.info.id)
  if (!textPart || textPart.type !== "message.part.updated") throw new Error("no answer text part in the recording")
  const partID = textPart.properties.part.id
  const first = fx.events.findIndex((e) => e.type === "message.part.delta" && e.properties.partID === partID)
  const template = fx.events[first]
  if (template?.type !== "message.part.delta") throw new Error("no answer delta in the recording")
  const store = new Store({ log: silentLogger })
  store.applyBatch(fx.events.slice(0, first))
  return {
    store,
    sessionID: textPart.properties.part.sessionID,
    userMessageID: user.properties.info.id,
    delta: (text) => ({ ...template, properties: { ...template.properties, delta: text } }),
  }
}

function once(text: string, mode: "real" | "naive"): { ms: number; maxMs: number; layouts: number; chunks: number } {
  const { store, sessionID, userMessageID, delta } = setUp()
  const db = openDatabase(":memory:")
  const turns = createTurnRepo(db)
  const adapter = new MemoryAdapter({ platform: "mattermost", capabilities: caps })
  const outbox = new Outbox({ adapter, log: silentLogger })
  const run = benchTurnRun({ store, turns, surface: { platform: "mattermost", adapter, outbox }, channel: "c1", sessionID, userMessageID })
  const options = { limit: caps.maxMessageLength, ...(caps.softMessageLength ? { soft: caps.softMessageLength } : {}) }
  let ms = 0
  let maxMs = 0
  let layouts = 0
  let chunks = 0
  for (let at = 0; at < text.length; at += STEP) {
    store.applyBatch([delta(text.slice(at, at + STEP))])
    const t = performance.now()
    if (mode === "real") {
      run.stream.touch()
      chunks = run.stream.layout().length
    } else {
      chunks = splitMarkdown(formatBlocks(run.blocks(), caps.markdown), options).length
    }
    const d = performance.now() - t
    ms += d
    maxMs = Math.max(maxMs, d)
    layouts++
  }
  run.suspend()
  void outbox.stop()
  db.close()
  return { ms, maxMs, layouts, chunks }
}

export function runLayoutBench(size: number, runs: number): LayoutFigures {
  const text = answer(size)
  const real: Array<ReturnType<typeof once>> = []
  const naive: Array<ReturnType<typeof once>> = []
  for (let r = 0; r < runs; r++) {
    gc()
    real.push(once(text, "real"))
    gc()
    naive.push(once(text, "naive"))
  }
  return {
    size,
    layouts: real[0]!.layouts,
    ms: Number(median(real.map((x) => x.ms)).toFixed(1)),
    baselineMs: Number(median(naive.map((x) => x.ms)).toFixed(1)),
    maxMs: Number(median(real.map((x) => x.maxMs)).toFixed(2)),
    baselineMaxMs: Number(median(naive.map((x) => x.maxMs)).toFixed(2)),
    chunks: real[0]!.chunks,
  }
}
