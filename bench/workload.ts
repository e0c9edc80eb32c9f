// Workloads for the core benchmarks: recorded OpenCode streams (test/fixtures/events: global
// frames with `directory` and `payload`, each durable event followed by its `sync` duplicate),
// copied with fresh ids into many distinct sessions and interleaved as concurrent sessions
// arrive on one `/global/event` connection, and fed in network-sized reads.
import { setImmediate as yieldToLoop } from "node:timers/promises"
import { fixtureNames, loadFixture, type Fixture } from "../test/harness/fixtures.ts"

const ID = /\b(ses|msg|prt|per|que|call|evt)_[A-Za-z0-9]+/g

/**
 * Frames one connection to one instance sends once, not once per session: the recordings each
 * start their own connection and boot their own instance, a relay serving many sessions sees
 * these once.
 */
const ONCE_PER_INSTANCE = new Set(["server.connected", "plugin.added", "catalog.updated", "reference.updated"])

function frameType(line: string): string | undefined {
  const frame = JSON.parse(line) as { type?: string; payload?: { type?: string } }
  return frame.payload?.type ?? frame.type
}

/** A copy of a fixture whose every id gets a suffix unique to the copy (order is kept). */
export function copyLines(fx: Fixture, tag: string, keep: (i: number) => boolean = () => true): { lines: string[]; sessionIDs: Set<string> } {
  const sessionIDs = new Set<string>()
  const lines: string[] = []
  fx.lines.forEach((line, i) => {
    if (!keep(i)) return
    lines.push(
      line.replace(ID, (id) => {
        const fresh = `${id}x${tag}`
        if (id.startsWith("ses_")) sessionIDs.add(fresh)
        return fresh
      }),
    )
  })
  return { lines, sessionIDs }
}

export interface Workload {
  lines: string[]
  expected: Array<{ sessionIDs: Set<string>; fx: Fixture }>
  /**
   * The runtime's `*.replied` frames, by request id, taken out of the recording: the runtime
   * sends one only once it has our answer, so the replay sends it when the router replies.
   */
  replies: Map<string, string>
}

const REPLIES = new Set(["permission.replied", "question.replied", "question.rejected"])

export interface WorkloadOptions {
  /**
   * `stream`: as one connection carries it (instance-level frames once, from the first copy;
   * the runtime's answers to requests held back until the router replies, see `replies`);
   * `legacy`: every copy complete and in recorded order, as the first version of this
   * benchmark replayed it.
   */
  shape: "stream" | "legacy"
  /** Prefix of the copies' id suffixes, so two workloads can share a store. */
  tag?: string
  /** Only these fixtures (default: all). */
  fixtures?: string[]
}

/** Splits the runtime's answers to requests out of a copy's lines. */
function takeReplies(lines: string[], replies: Map<string, string>): string[] {
  return lines.filter((line) => {
    const frame = JSON.parse(line) as { payload?: { type?: string; properties?: { requestID?: string } } }
    const requestID = frame.payload?.properties?.requestID
    if (!REPLIES.has(frame.payload?.type ?? "") || requestID === undefined) return true
    replies.set(requestID, line)
    return false
  })
}

/** Copies of fixtures (round robin), each with its sessions and the runtime's held-back answers. */
export function copies(n: number, opts: WorkloadOptions): { streams: string[][]; expected: Workload["expected"]; replies: Map<string, string> } {
  const fixtures = (opts.fixtures ?? fixtureNames()).map(loadFixture)
  const instanceLines = new Map(fixtures.map((fx) => [fx, new Set(fx.lines.flatMap((l, i) => (ONCE_PER_INSTANCE.has(frameType(l) ?? "") ? [i] : [])))]))
  const streams: string[][] = []
  const expected: Workload["expected"] = []
  const replies = new Map<string, string>()
  for (let i = 0; i < n; i++) {
    const fx = fixtures[i % fixtures.length]!
    const once = instanceLines.get(fx)!
    const keep = opts.shape === "legacy" || i === 0 ? undefined : (j: number) => !once.has(j)
    const { lines, sessionIDs } = copyLines(fx, `${opts.tag ?? ""}${i.toString(36).padStart(4, "0")}`, keep)
    streams.push(opts.shape === "legacy" ? lines : takeReplies(lines, replies))
    expected.push({ sessionIDs, fx })
  }
  return { streams, expected, replies }
}

/** Interleaves copies in waves of 50, as concurrent sessions arrive on one stream. */
export function buildWorkload(n: number, opts: WorkloadOptions): Workload {
  const { streams, expected, replies } = copies(n, opts)
  const lines: string[] = []
  const wave = 50
  for (let w = 0; w < streams.length; w += wave) {
    const group = streams.slice(w, w + wave)
    const longest = Math.max(...group.map((s) => s.length))
    for (let j = 0; j < longest; j++) for (const s of group) if (j < s.length) lines.push(s[j]!)
  }
  return { lines, expected, replies }
}

/** Bytes of one network read of the event stream (a full socket read while the relay catches up). */
export const READ_BYTES = 16 * 1024

/**
 * Hands lines to `onLine` in reads of about `READ_BYTES`, yielding to the event loop after each
 * read as a socket does, so timers (the 16 ms batching) and promise callbacks run in between.
 * Lines pushed to `arriving` meanwhile (the runtime's answers) come first in the next read.
 */
export async function feed(lines: string[], onLine: (line: string, index: number) => void, arriving: string[] = [], readBytes = READ_BYTES): Promise<number> {
  let reads = 0
  for (let i = 0; i < lines.length; ) {
    let bytes = 0
    for (const line of arriving.splice(0)) {
      bytes += line.length + 7
      onLine(line, -1)
    }
    while (i < lines.length && bytes < readBytes) {
      const line = lines[i]!
      bytes += line.length + 7 // "data: " and the newline
      onLine(line, i++)
    }
    reads++
    await yieldToLoop()
  }
  return reads
}

/** The sessions' final texts against the recording's: how many differ. */
export function mismatches(expected: Workload["expected"], lastTurnTextOf: (ids: Set<string>) => string): number {
  let n = 0
  for (const { sessionIDs, fx } of expected) {
    const text = lastTurnTextOf(sessionIDs)
    const ok = fx.expected.cutFrom !== undefined ? fx.expected.cutFrom.startsWith(text) && text.length > 0 : text === fx.expected.finalText
    if (!ok) n++
  }
  return n
}
