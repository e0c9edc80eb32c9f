// One object that starts the whole headless core against a real OpenCode server and a
// scripted model: store, router, runtime sync. Optionally through a TCP proxy the test can cut.
import { BASE_PERMISSIONS } from "../../src/core/consent/policy.ts"
import { Router } from "../../src/core/router/router.ts"
import { rulesFromConfig } from "../../src/runtime/permission-rules.ts"
import { runtimeReplies } from "../../src/core/router/replies.ts"
import { Store } from "../../src/core/store/store.ts"
import type { SessionState } from "../../src/core/store/types.ts"
import { RuntimeSync } from "../../src/core/sync.ts"
import { silentLogger, type Logger } from "../../src/log/logger.ts"
import { createRuntimeClient, type RuntimeClient } from "../../src/runtime/client.ts"
import { startModelServer, type ModelServer } from "./model-server/index.ts"
import { startOpencode, type OpencodeServer } from "./opencode.ts"
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts"
import { storeChanges, until } from "./wait.ts"

export interface CoreOptions {
  timeoutMs?: number
  password?: string
  /** The runtime's own `permission` config (default: OpenCode's defaults). */
  permission?: unknown
  /** Route the event stream and API calls through a proxy the test can cut. */
  proxy?: boolean
  log?: Logger
}

export interface CoreHarness {
  model: ModelServer
  opencode: OpencodeServer
  proxy: TcpProxy | undefined
  client: RuntimeClient
  store: Store
  router: Router
  sync: RuntimeSync
  dir: string
  /** Creates a session in the test project. */
  newSession(): Promise<string>
  prompt(sessionID: string, text: string): Promise<void>
  waitFor<T>(check: () => T | undefined | null | false, what?: string, timeoutMs?: number): Promise<T>
  /** Resolves when the session's runtime status is idle and its last message is complete. */
  idle(sessionID: string): Promise<SessionState>
  /** Like `idle`, but by the derived status (absorbs abort's double idle). */
  settled(sessionID: string, what?: string): Promise<SessionState>
  close(): Promise<void>
}

export async function startCore(opts: CoreOptions = {}): Promise<CoreHarness> {
  const log = opts.log ?? silentLogger
  const model = await startModelServer()
  const opencode = await startOpencode({
    modelUrl: model.url,
    ...(opts.password ? { password: opts.password } : {}),
    ...(opts.permission ? { permission: opts.permission } : {}),
  })
  const proxy = opts.proxy ? await startTcpProxy({ port: opencode.port }) : undefined
  const client = createRuntimeClient({ url: proxy?.url ?? opencode.url, ...(opts.password ? { password: opts.password } : {}) })
  const store = new Store({ log })
  const router = new Router({
    store,
    replies: runtimeReplies(client, store),
    log,
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  })
  const dir = opencode.projectDir
  const sync = new RuntimeSync({ client, store, log, directories: () => [dir], backoff: { initialMs: 100, maxMs: 1_000 } })
  sync.start()
  await sync.ready()
  const waitFor = <T>(check: () => T | undefined | null | false, what?: string, timeoutMs?: number) =>
    until(check, storeChanges(store), { ...(what ? { what } : {}), ...(timeoutMs ? { timeoutMs } : {}) })
  return {
    model,
    opencode,
    proxy,
    client,
    store,
    router,
    sync,
    dir,
    async newSession() {
      // As the relay does: every session carries the consent rules (docs/consent.md).
      return (await client.sessions.create(dir, { permission: rulesFromConfig(BASE_PERMISSIONS) })).id
    },
    async prompt(sessionID, text) {
      await client.sessions.promptAsync(dir, sessionID, { parts: [{ type: "text", text }] })
    },
    waitFor,
    idle(sessionID) {
      return waitFor(() => {
        const s = store.session(sessionID)
        const last = s?.messages.at(-1)
        return s && s.status.type === "idle" && last?.info.role === "assistant" && last.info.time.completed ? s : undefined
      }, `session ${sessionID} to become idle`)
    },
    settled(sessionID, what) {
      return waitFor(() => {
        const s = store.session(sessionID)
        const last = s?.messages.at(-1)
        return s?.derived === "idle" && last?.info.role === "assistant" && last.info.time.completed ? s : undefined
      }, what ?? `session ${sessionID} to settle`)
    },
    async close() {
      router.stop()
      await sync.stop()
      await proxy?.close()
      await opencode.stop({ remove: true })
      await model.close()
    },
  }
}
