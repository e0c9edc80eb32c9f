// A bound thread's turn as the relay runs it, for the benchmarks that include delivery: a real
// `TurnRun` (render from the store, `TurnStream`, outbox slots, turn rows in SQLite) on a
// thread of the in-memory platform, with the relay's default settings (src/app/launch.ts).
import type { MemoryAdapter } from "../adapters/memory/adapter.ts"
import type { Surface, ThreadHost } from "../src/core/conversations/host.ts"
import { TurnRun } from "../src/core/conversations/turn-run.ts"
import type { Store } from "../src/core/store/store.ts"
import { silentLogger } from "../src/log/logger.ts"
import type { TurnRepo } from "../src/storage/turns.ts"

export function benchTurnRun(opts: { store: Store; turns: TurnRepo; surface: Surface & { adapter: MemoryAdapter }; channel: string; sessionID: string; userMessageID: string }): TurnRun {
  const { adapter } = opts.surface
  const thread = adapter.thread(opts.channel)
  const host: ThreadHost = {
    thread,
    surface: opts.surface,
    channel: adapter.scopeOf(thread).channel,
    workspace: adapter.scopeOf(thread).workspace,
    space: "channel",
    directory: "/tmp/switchboard-fixture/project",
    ownerID: "u1",
    ownerName: undefined,
    sealTurn: () => run.stream.seal(),
  }
  const record = opts.turns.start({ thread, sessionID: opts.sessionID, userMessageID: opts.userMessageID, at: Date.now() })
  const run: TurnRun = new TurnRun(host, record, {
    store: opts.store,
    turns: opts.turns,
    log: silentLogger,
    verbosity: () => "essential",
    typingIntervalMs: 4_000,
    startTimeoutMs: 60_000,
    maxProviderRetries: 8,
    abort: async () => {},
    confirmStarted: async () => true,
    onFinished: () => {},
  })
  return run
}
