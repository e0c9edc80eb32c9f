// `npm run bench`: prints key=value figures, a `# note` per section saying what exactly is
// measured, and the speed and memory targets met or missed. Run with --expose-gc. Sections:
// layout, core, pending, lag, delivery, hostile, mattermost (all by default; `core` includes
// pending and lag, `delivery` includes layout and hostile).
import { runCoreBench } from "./core.ts"

const only = process.argv.slice(2)
const want = (...names: string[]) => only.length === 0 || names.some((n) => only.includes(n))

const figures = new Map<string, number>()
function print(key: string, value: number | string) {
  if (typeof value === "number") figures.set(key, value)
  process.stdout.write(`${key}=${value}\n`)
}
function note(text: string) {
  process.stdout.write(`# note ${text}\n`)
}

// Layout first, in a fresh process state: after the other sections the same layouts ran up to
// 2.5× slower (see the note), which would make the figure depend on which sections ran before.
if (want("delivery", "layout")) {
  const { runLayoutBench, STEP } = await import("./layout.ts")
  let max: { ms: number; baseline: number } | undefined
  for (const [label, size, runs] of [["10k", 10_000, 5], ["100k", 100_000, 5], ["1m", 1_000_000, 1]] as const) {
    const f = runLayoutBench(size, runs)
    print(`delivery.layout_ms_per_turn.${label}`, f.ms)
    print(`delivery.layout_ms_per_turn.${label}.baseline_naive`, f.baselineMs)
    if (label === "1m") max = { ms: f.maxMs, baseline: f.baselineMaxMs }
  }
  print("delivery.layout_max_ms.1m", max!.ms)
  print("delivery.layout_max_ms.1m.baseline_naive", max!.baseline)
  note(
    `layout: ms (wall time of the synchronous calls, so other load on the machine inflates it) of a whole turn's layouts while an answer of 10k / 100k / 1M characters (markdown prose with code fences) streams into one text part, one layout per ${STEP} characters: after each delta (applied through Store.applyBatch, not timed) TurnRun.stream.touch() + TurnStream.layout() — render from the store (TurnRun.blocks), format, split for Mattermost's capabilities (16,283 / soft 3,000) — summed; median of 5 runs (1M: one run), GC forced before each, measured before every other section (after them the same layouts took up to 2.5× longer in our runs, the extra time in formatting, i.e. trimEnd and concatenation over the whole text). ` +
      `layout_max_ms.1m: the slowest single layout of the 1M answer. Baseline: splitMarkdown(formatBlocks(TurnRun.blocks())) of the whole render from scratch after every delta.`,
  )
}

if (want("core")) {
  const c = await runCoreBench()
  print("core.sessions", c.sessions)
  print("core.lines", c.lines)
  print("core.lines_skipped_before_parse", c.linesSkippedBeforeParse)
  print("core.lines_parsed", c.linesParsed)
  print("core.parse_floor_events_per_sec", c.parseFloorEventsPerSec)
  print("core.events_per_sec", c.eventsPerSec)
  print("core.frames_per_sec", c.framesPerSec)
  print("core.floor_ratio", c.floorRatio)
  print("core.floor_ratio_legacy", c.floorRatioLegacy)
  print("core.round_trips", c.roundTrips)
  print("core.round_trips_answered", c.roundTripsAnswered)
  print("core.batches", c.batches)
  print("core.heap_per_session_kb", c.heapPerSessionKb)
  print("core.text_mismatches", c.textMismatches)
  note(
    `core: ${c.sessions} one-turn sessions copied from the recorded /global/event streams (global frames, each durable event followed by its \`sync\` duplicate), interleaved 50 at a time as one connection carries them (instance-level frames — server.connected, plugin.added, catalog/reference.updated — once, not once per copy), fed in ${c.readBytes / 1024} KiB reads (${c.reads} reads) with a turn of the event loop after each. ` +
      `Pipeline: parseEventData (malformed frames counted: ${c.malformed}) → the real Batcher on real timers (16 ms; ${c.batches} batches) → Store.applyBatch → Router, one subscriber per session that checks its turn's end on every change and answers every permission/question (${c.roundTrips} round-trips, ${c.roundTripsAnswered} closed by our answer; the runtime's recorded *.replied frame is sent back on the stream only once the router has replied), timed until the last round-trip closed. ` +
      `Floor: the same reads, each of exactly the ${c.linesParsed} frames the pipeline parses only JSON.parse-d (the ${c.linesSkippedBeforeParse} \`sync\` frames it drops by their byte mark are in core.lines_skipped_before_parse, not in the floor). ` +
      `Left out on both sides: socket, SSE decoding, resync. GC forced before each timed run; core.floor_ratio is the median of per-run floor÷pipeline time ratios (events_per_sec and parse_floor_events_per_sec count parsed frames, frames_per_sec all frames). ` +
      `core.floor_ratio_legacy is the first definition, once: every copy complete, the floor parsing all raw lines including \`sync\`, no-op subscribers, a fake clock, ratio of median rates. ` +
      `Heap: a store holding every session after the same run, GC forced, lines, router and subscribers excluded. Every session's final text is checked in every run.`,
  )
  if (c.textMismatches > 0 || c.roundTripsUnsettled > 0) process.exitCode = 1
}

if (want("core", "pending")) {
  const { runPendingBench } = await import("./core-pending.ts")
  const p = await runPendingBench()
  print("core.pending_requests", p.pending)
  print("core.us_per_event_no_pending", p.usPerEventNone)
  print("core.us_per_event_with_20k_pending", p.usPerEventPending)
  print("core.pending_cost_ratio", p.ratio)
  print("core.subscribe_ms_with_20k_pending", p.subscribeMsPending)
  print("core.subscribe_ms_with_20k_pending.baseline_no_pending", p.subscribeMsNone)
  note(
    `pending: the core pipeline (as in core, ${p.sessions} sessions) on a store also holding ${p.pending} open permission requests of ${p.pending} other sessions, each followed by a subscribed thread whose person has not answered (so the router holds them too: timer, abort signal), ÷ the same on a core holding none; µs per parsed frame, GC forced before each run, median of per-run ratios. ` +
      `subscribe: one Router.subscribe of a new session (what a thread's attach does), median of 30, on each of the two cores.`,
  )
  if (p.textMismatches > 0) process.exitCode = 1
}

if (want("core", "lag")) {
  const { runLagBench } = await import("./core-lag.ts")
  const l = await runLagBench()
  print("core.event_loop_lag_p99_ms", l.p99Ms)
  print("core.event_loop_lag_max_ms", l.maxMs)
  print("core.event_loop_lag_p99_ms.baseline_feed_only", l.baselineP99Ms)
  print("core.event_loop_lag_threads_showing", l.threadsShowing)
  note(
    `lag: ${l.turns} turns streaming at once in real time (${l.frames} frames over ${l.streamMs} ms; each session replays the recorded \`text\` stream, sync duplicates included, one frame per 12 ms, sessions starting over 1 s), through parse → 16 ms batching → store → router → one TurnRun per thread (render from the store, TurnStream layout and split, outbox slots and limiters, typing every 4 s, turn rows in SQLite on disk) → the in-memory platform with Mattermost's capabilities and rate rules, 40 ms latency, enforcing Mattermost's published limits. ` +
      `perf_hooks.monitorEventLoopDelay while the frames stream, as delay past its 10 ms sampling interval (p99 and max); baseline, measured after: the same feed, frames only JSON.parse-d. ` +
      `core.event_loop_lag_threads_showing: threads with a visible message when the stream ended (of ${l.turns}); final store texts checked (${l.textMismatches} wrong).`,
  )
  if (l.textMismatches > 0) process.exitCode = 1
}

if (want("delivery")) {
  const { runDelivery, LATENCY_MS } = await import("./delivery.ts")
  const plans = [
    { profile: "discord" as const, sessions: 8, channels: 8, size: 12_000 },
    { profile: "slack" as const, sessions: 50, channels: 5, size: 6_000 },
    { profile: "mattermost" as const, sessions: 10, channels: 10, size: 20_000 },
  ]
  for (const plan of plans) {
    let limit = ""
    for (const strategy of ["switchboard", "every_delta", "interval_500ms"] as const) {
      const f = await runDelivery(plan.profile, strategy, plan)
      const prefix = strategy === "switchboard" ? `delivery.${plan.profile}` : `delivery.${plan.profile}.baseline_${strategy}`
      print(`${prefix}.fidelity`, Number(f.fidelity.toFixed(3)))
      print(`${prefix}.budget_use`, Number(f.budgetUse.toFixed(3)))
      print(`${prefix}.rate_limited`, f.rateLimited)
      print(`${prefix}.p95_staleness_ms`, f.p95StalenessMs)
      if (plan.profile === "slack") print(`${prefix}.max_first_text_ms`, f.maxFirstTextMs)
      if (strategy === "switchboard" && (f.fidelity < 1 || f.rateLimited > 0)) process.exitCode = 1
      limit = `${f.limit.kind === "gcra" ? `GCRA ${f.limit.max} per ${f.limit.perMs} ms, burst ${f.limit.burst}` : `${f.limit.max} per ${f.limit.perMs} ms (sliding)`} per ${f.limit.scope} on ${f.limit.ops.filter((o) => o === "post" || o === "edit").join("+")}`
    }
    note(
      `delivery.${plan.profile}: ${plan.sessions} sessions in ${plan.channels} channel(s), ~${plan.size} characters each, a delta every 80 ms, ${LATENCY_MS} ms call latency, fake clock. ` +
        `The fake enforces ${plan.profile}'s published limits (test/harness/budget-profiles.ts publishedLimits, not the capabilities' rateRules the outbox paces by); rate_limited counts the 429s it answered. ` +
        `budget_use: calls counted by ${limit} that the platform accepted while some message had changed text to show, ÷ the most that limit would have accepted in those spans (≤ 1 by construction). ` +
        `p95_staleness_ms: per answer step (delta, tool state, footer), from the step until a message first shows a text that message first had at that step or later and that holds the step's text; a call's text counts as visible when the call returns (latency counted once).`,
    )
  }
}

if (want("delivery", "hostile")) {
  const { runHostileBench } = await import("./hostile.ts")
  const f = runHostileBench()
  print("delivery.hostile_table_ms", Number(f.tableMs.toFixed(2)))
  print("delivery.hostile_table_ms.baseline_single_regex", Number(f.baselineRegexMs.toFixed(2)))
  print("delivery.hostile_whitespace_ms", Number(f.whitespaceMs.toFixed(2)))
  note("delivery.hostile: render + split of a table row holding 40,000 spaces, and of a 20,000-character interior whitespace run; baseline: the former single-regex delimiter check on that row alone")
}

if (want("mattermost")) {
  const { runMattermostBench } = await import("./mattermost.ts")
  const m = await runMattermostBench()
  print("mattermost.e2e_first_text_ms", m.firstTextMsMedian)
  print("mattermost.e2e_first_text_ms_max", m.firstTextMsMax)
  print("mattermost.edits_per_answer", m.editsPerAnswer)
  print("mattermost.posts_per_answer", m.postsPerAnswer)
  note(`mattermost: ${m.answers} answers of ${m.answerChars} characters streamed at ~600 characters/s by the scripted model through real OpenCode; median and max of mention → first answer text`)
}

// Speed and memory goals: met or missed, never an exit code (only wrong results fail the run).
const TARGETS: Array<[key: string, op: "≥" | "≤", goal: number]> = [
  ["core.floor_ratio", "≥", 0.65],
  ["core.heap_per_session_kb", "≤", 4.5],
  ["core.pending_cost_ratio", "≤", 1.2],
  ["core.event_loop_lag_p99_ms", "≤", 20],
  ["delivery.layout_ms_per_turn.100k", "≤", 100],
]
for (const [key, op, goal] of TARGETS) {
  const value = figures.get(key)
  if (value === undefined) continue
  const met = op === "≥" ? value >= goal : value <= goal
  process.stdout.write(`# target ${key} ${op} ${goal}: ${met ? "met" : "MISSED"} (${value})\n`)
}
