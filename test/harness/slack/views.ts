// Read models for tests: traffic statistics derived from the request log and the socket hub
// (429s counted from the answers really written), assistant statuses with the 2-minute expiry
// applied on read, and `waitForState`, which re-checks a predicate on every state change.
import { LIMITS } from "./limits.ts"
import type { RequestRecord } from "./server.ts"
import type { SocketHub } from "./socket.ts"
import type { FakeState } from "./state.ts"
import type { StatusRecord } from "./types.ts"

export interface Stats {
  /** Web API calls answered, per method (429s included). */
  calls: Record<string, number>
  /** `{ok:false}` answers per method and error. */
  errors: Record<string, Record<string, number>>
  /** HTTP 429 answers really written, per method (window and forced). */
  rateLimited: Record<string, number>
  rateLimitedTotal: number
  ws: { open: number; total: number; rejected: number }
  envelopes: { total: number; acked: number; unacked: number; pending: number; redeliveries: number; lateAcks: number; unknownAcks: number }
  /** Latency of every settling ack, in delivery order. */
  ackLatenciesMs: number[]
  downloads: { served: number; refused: number }
}

const bump = (o: Record<string, number>, key: string) => {
  o[key] = (o[key] ?? 0) + 1
}

export function buildStats(log: RequestRecord[], hub: SocketHub): Stats {
  const calls: Record<string, number> = {}
  const errors: Record<string, Record<string, number>> = {}
  const rateLimited: Record<string, number> = {}
  for (const r of log.filter((x) => x.kind === "api")) {
    bump(calls, r.method)
    if (r.status === 429) bump(rateLimited, r.method)
    if (r.ok === false && r.error) bump((errors[r.method] ??= {}), r.error)
  }
  const records = hub.deliveries.map((d) => d.record)
  const downloads = log.filter((r) => r.kind === "download")
  return {
    calls,
    errors,
    rateLimited,
    rateLimitedTotal: Object.values(rateLimited).reduce((a, b) => a + b, 0),
    ws: { open: hub.count(), total: hub.totalConnections, rejected: hub.rejectedConnections },
    envelopes: {
      total: records.length,
      acked: records.filter((r) => r.status === "acked").length,
      unacked: records.filter((r) => r.status === "unacked").length,
      pending: records.filter((r) => r.status === "pending").length,
      redeliveries: records.reduce((n, r) => n + r.redeliveries, 0),
      lateAcks: records.filter((r) => r.late).length,
      unknownAcks: hub.unknownAcks,
    },
    ackLatenciesMs: records.flatMap((r) => (r.ackLatencyMs === undefined ? [] : [r.ackLatencyMs])),
    downloads: { served: downloads.filter((r) => r.status === 200).length, refused: downloads.filter((r) => r.status !== 200).length },
  }
}

export interface StatusView extends StatusRecord {
  /** Still visible: not cleared, and younger than Slack's 2-minute expiry. */
  showing: boolean
}

export function statusViews(state: FakeState, now = Date.now()): StatusView[] {
  return state.statuses.map((s) => ({
    ...structuredClone(s),
    showing: s.clearedAt === undefined && now - s.setAt < LIMITS.statusTtlMs.max,
  }))
}

export function waitForState<T>(
  state: FakeState,
  hub: SocketHub,
  check: () => T | undefined | null | false,
  opts: { timeoutMs?: number; what?: string },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? 30_000
    let off = () => {}
    const finish = (fn: () => void) => {
      off()
      clearTimeout(timer)
      fn()
    }
    const run = () => {
      try {
        const value = check()
        if (value) finish(() => resolve(value))
      } catch (err) {
        finish(() => reject(err))
      }
    }
    const timer = setTimeout(() => {
      const recent = [...state.messages.values()].flat().slice(-5).map((m) => `${m.user}: ${m.text.slice(0, 60)}`)
      const envelopes = hub.deliveries.slice(-5).map((d) => `${d.record.type}:${d.record.status}`)
      const what = opts.what ? ` (${opts.what})` : ""
      const detail = `last messages ${JSON.stringify(recent)}; last envelopes ${JSON.stringify(envelopes)}; sockets open ${hub.count()}`
      finish(() => reject(new Error(`fake-slack waitFor timed out after ${timeoutMs} ms${what}; ${detail}`)))
    }, timeoutMs)
    off = state.onChange(run)
    run()
  })
}
