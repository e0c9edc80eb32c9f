// Keeps the store in step with one runtime: the event stream feeds batches into the store,
// and after every (re)connect a resync snapshot fills whatever the gap swallowed.
import type { Logger } from "../log/logger.ts"
import type { Clock } from "../runtime/batcher.ts"
import type { RuntimeClient } from "../runtime/client.ts"
import { EventStream, type BackoffOptions, type StreamState } from "../runtime/event-stream.ts"
import { fetchSnapshot, type SessionRef } from "../runtime/resync.ts"
import type { Store } from "./store/store.ts"

export interface SyncOptions {
  client: RuntimeClient
  store: Store
  log: Logger
  /** Project directories to resync (pending requests and statuses are per directory). */
  directories(): string[]
  /** Sessions whose messages must be refetched after a gap, besides busy ones (e.g. bound threads). */
  sessionsOfInterest?(): SessionRef[]
  heartbeatTimeoutMs?: number
  backoff?: Partial<BackoffOptions>
  batchMs?: number
  clock?: Clock
  onState?(state: StreamState, detail?: string): void
}

export class RuntimeSync {
  readonly stream: EventStream
  private readonly opts: SyncOptions
  private resyncs = 0
  private connected: Promise<void>
  private markConnected!: () => void

  constructor(opts: SyncOptions) {
    this.opts = opts
    this.connected = new Promise((r) => (this.markConnected = r))
    this.stream = new EventStream({
      url: opts.client.url,
      headers: opts.client.headers,
      log: opts.log,
      ...(opts.heartbeatTimeoutMs ? { heartbeatTimeoutMs: opts.heartbeatTimeoutMs } : {}),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      ...(opts.batchMs !== undefined ? { batchMs: opts.batchMs } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
      onBatch: (events, first) => opts.store.applyBatch(events, first),
      onConnected: () => this.resync(),
      ...(opts.onState ? { onState: opts.onState } : {}),
    })
  }

  /** Number of completed resyncs (one per connect). */
  get resyncCount(): number {
    return this.resyncs
  }

  start(): void {
    this.stream.start()
  }

  /** Resolves once the first connect and its resync are done. */
  ready(): Promise<void> {
    return this.connected
  }

  stop(): Promise<void> {
    return this.stream.stop()
  }

  /** Refetches one session's messages (events for it may have been missed) and merges them. */
  async refresh(sessionID: string, directory: string): Promise<void> {
    const { client, store, log } = this.opts
    const snapshot = await fetchSnapshot(client, { directories: [], sessions: () => [{ id: sessionID, directory }] }, () => this.stream.received, log)
    store.applySnapshot(snapshot)
  }

  private async resync(): Promise<void> {
    const { store, client, log } = this.opts
    const directories = this.opts.directories()
    const started = Date.now()
    const snapshot = await fetchSnapshot(
      client,
      {
        directories,
        sessions: (busyNow) => {
          const refs = new Map<string, SessionRef>()
          for (const r of busyNow) refs.set(r.id, r)
          // Sessions we believed were working may have finished during the gap.
          for (const s of store.sessions()) {
            if (s.derived !== "idle" && s.directory) refs.set(s.id, { id: s.id, directory: s.directory })
          }
          for (const r of this.opts.sessionsOfInterest?.() ?? []) refs.set(r.id, r)
          return [...refs.values()]
        },
      },
      () => this.stream.received,
      log,
    )
    store.applySnapshot(snapshot)
    this.resyncs++
    log.info(
      { directories: directories.length, sessions: snapshot.sessions.length, ms: Date.now() - started },
      "resynced with the runtime",
    )
    this.markConnected()
  }
}
