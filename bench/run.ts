// `npm run bench`: prints key=value figures (and a note per section). Run with --expose-gc.
import { runCoreBench } from "./core.ts"

const only = process.argv.slice(2)
const want = (name: string) => only.length === 0 || only.includes(name)

function print(key: string, value: number | string) {
  process.stdout.write(`${key}=${value}\n`)
}

if (want("core")) {
  const c = runCoreBench()
  print("core.sessions", c.sessions)
  print("core.lines", c.lines)
  print("core.parse_floor_events_per_sec", c.parseFloorEventsPerSec)
  print("core.events_per_sec", c.eventsPerSec)
  print("core.floor_ratio", c.floorRatio)
  print("core.heap_per_session_kb", c.heapPerSessionKb)
  print("core.text_mismatches", c.textMismatches)
  process.stdout.write(`# core: ${c.skippedBeforeParse} of ${c.lines} raw lines were duplicate \`sync\` or ignored frames; the floor parses them, the pipeline drops sync frames before parsing\n`)
  if (c.textMismatches > 0) process.exitCode = 1
}

if (want("delivery")) {
  const { runDelivery } = await import("./delivery.ts")
  const plans = [
    { profile: "discord" as const, sessions: 8, channels: 8, size: 12_000 },
    { profile: "slack" as const, sessions: 50, channels: 5, size: 6_000 },
    { profile: "mattermost" as const, sessions: 10, channels: 10, size: 20_000 },
  ]
  for (const plan of plans) {
    for (const strategy of ["switchboard", "every_delta", "interval_500ms"] as const) {
      const f = await runDelivery(plan.profile, strategy, plan)
      const prefix = strategy === "switchboard" ? `delivery.${plan.profile}` : `delivery.${plan.profile}.baseline_${strategy}`
      print(`${prefix}.fidelity`, Number(f.fidelity.toFixed(3)))
      print(`${prefix}.budget_use`, Number(f.budgetUse.toFixed(3)))
      print(`${prefix}.rate_limited`, f.rateLimited)
      print(`${prefix}.p95_staleness_ms`, f.p95StalenessMs)
      if (plan.profile === "slack") print(`${prefix}.max_first_text_ms`, f.maxFirstTextMs)
      if (strategy === "switchboard" && (f.fidelity < 1 || f.rateLimited > 0)) process.exitCode = 1
    }
    process.stdout.write(`# delivery.${plan.profile}: ${plan.sessions} sessions in ${plan.channels} channel(s), ~${plan.size} characters each, a delta every 80 ms, 40 ms call latency, fake clock\n`)
  }
}

if (want("delivery") || want("hostile")) {
  const { runHostileBench } = await import("./hostile.ts")
  const f = runHostileBench()
  print("delivery.hostile_table_ms", Number(f.tableMs.toFixed(2)))
  print("delivery.hostile_table_ms.baseline_single_regex", Number(f.baselineRegexMs.toFixed(2)))
  print("delivery.hostile_whitespace_ms", Number(f.whitespaceMs.toFixed(2)))
  process.stdout.write("# delivery.hostile: render + split of a table row holding 40,000 spaces, and of a 20,000-character interior whitespace run; baseline: the former single-regex delimiter check on that row alone\n")
}

if (want("mattermost")) {
  const { runMattermostBench } = await import("./mattermost.ts")
  const m = await runMattermostBench()
  print("mattermost.e2e_first_text_ms", m.firstTextMsMedian)
  print("mattermost.e2e_first_text_ms_max", m.firstTextMsMax)
  print("mattermost.edits_per_answer", m.editsPerAnswer)
  print("mattermost.posts_per_answer", m.postsPerAnswer)
  process.stdout.write(`# mattermost: ${m.answers} answers of ${m.answerChars} characters streamed at ~600 characters/s by the scripted model through real OpenCode; median and max of mention → first answer text\n`)
}
