// Wires the relay together: runtime client and event sync, store, router, storage,
// interactions, conversations, and one outbox per chat platform. Start-up order matters:
// bindings are followed before the first resync, adapters connect before recovery (which may
// read the platform), and inbound events are held until recovery is done.
import type { ChatAdapter } from "../chat/types.ts"
import { Conversations } from "../core/conversations/service.ts"
import type { ConversationSettings } from "../core/conversations/context.ts"
import type { Surface } from "../core/conversations/host.ts"
import { DEFAULT_REACTIONS, type ReactionChoices } from "../core/interactions/choices.ts"
import { Interactions } from "../core/interactions/service.ts"
import { runtimeReplies } from "../core/router/replies.ts"
import { Router } from "../core/router/router.ts"
import { Store } from "../core/store/store.ts"
import { RuntimeSync } from "../core/sync.ts"
import { Outbox } from "../delivery/outbox.ts"
import type { Logger } from "../log/logger.ts"
import { createRuntimeClient, type RuntimeClient, type RuntimeConnection } from "../runtime/client.ts"
import type { BackoffOptions } from "../runtime/event-stream.ts"
import { openRepositories, type Repositories } from "../storage/repositories.ts"

export interface RelayOptions {
  runtime: RuntimeConnection
  storagePath: string
  settings: ConversationSettings
  /** How long a permission or question waits for an answer. */
  interactionTimeoutMs: number
  reactions?: ReactionChoices
  adapters: ChatAdapter[]
  log: Logger
  sync?: { heartbeatTimeoutMs?: number; backoff?: Partial<BackoffOptions> }
  /** How long start-up waits for the runtime before going on without it (it keeps retrying). */
  runtimeWaitMs?: number
}

export interface Relay {
  client: RuntimeClient
  store: Store
  router: Router
  repos: Repositories
  sync: RuntimeSync
  conversations: Conversations
  interactions: Interactions
  surfaces: Surface[]
  /** Graceful stop: adapters first, then the core; in-flight turns resume on the next start. */
  stop(): Promise<void>
}

export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const { log } = opts
  const client = createRuntimeClient(opts.runtime)
  const store = new Store({ log: log.child({ room: "store" }) })
  const repos = openRepositories(opts.storagePath)
  // Inbound ids are kept to refuse replays after reconnects; two weeks is far past any replay.
  repos.seen.prune(Date.now() - 14 * 24 * 3_600_000)
  const interactions = new Interactions({
    repos,
    access: opts.settings.access,
    timeoutMs: opts.interactionTimeoutMs,
    reactions: opts.reactions ?? DEFAULT_REACTIONS,
    log: log.child({ room: "interactions" }),
  })
  const router = new Router({
    store,
    replies: runtimeReplies(client, store),
    log: log.child({ room: "router" }),
    timeoutMs: opts.interactionTimeoutMs,
    deadlineOf: (r) => interactions.deadlineOf(r.request.id),
  })
  let sync: RuntimeSync | undefined
  const conversations = new Conversations({
    client,
    store,
    router,
    repos,
    interactions,
    settings: opts.settings,
    log: log.child({ room: "conversations" }),
    refresh: (sessionID, directory) => sync!.refresh(sessionID, directory),
  })
  const surfaces = opts.adapters.map((adapter) => {
    const surface: Surface = { platform: adapter.platform, adapter, outbox: new Outbox({ adapter, log: log.child({ room: "delivery", platform: adapter.platform }) }) }
    return { surface, sink: conversations.addSurface(surface) }
  })
  sync = new RuntimeSync({
    client,
    store,
    log: log.child({ room: "runtime" }),
    directories: () => conversations.directories(),
    sessionsOfInterest: () => conversations.sessionsOfInterest(),
    ...(opts.sync?.heartbeatTimeoutMs ? { heartbeatTimeoutMs: opts.sync.heartbeatTimeoutMs } : {}),
    ...(opts.sync?.backoff ? { backoff: opts.sync.backoff } : {}),
  })
  conversations.attachAll()
  // Adapters connect first (recovery may need to read the platform), but the events they
  // deliver wait until the core has resynced and recovered.
  let open!: () => void
  const gate = new Promise<void>((resolve) => (open = resolve))
  for (const { surface, sink } of surfaces) {
    await surface.adapter.start(async (event) => {
      await gate
      return sink(event)
    })
  }
  sync.start()
  const ready = sync
    .ready()
    .then(() => conversations.recover())
    .finally(() => open())
    .catch((err: unknown) => log.error({ err }, "recovery after start-up failed"))
  const waited = await Promise.race([ready.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), opts.runtimeWaitMs ?? 30_000).unref())])
  if (!waited) {
    log.warn({ url: opts.runtime.url }, "the runtime is not reachable yet; starting anyway and recovering when it connects")
    open()
  }
  const relay: Relay = {
    client,
    store,
    router,
    repos,
    sync,
    conversations,
    interactions,
    surfaces: surfaces.map((s) => s.surface),
    async stop() {
      // Each step gets a few seconds; one that hangs is logged and skipped, never blocks exit.
      const step = async (what: string, fn: () => Promise<unknown> | unknown) => {
        log.debug({ step: what }, "stopping")
        let timer: ReturnType<typeof setTimeout> | undefined
        const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), 5_000)))
        try {
          const result = await Promise.race([Promise.resolve().then(fn), late])
          if (result === "late") log.error({ step: what }, "a shutdown step did not finish within 5 s; going on")
        } catch (err) {
          log.warn({ err, step: what }, "a shutdown step failed")
        } finally {
          clearTimeout(timer)
        }
      }
      for (const { surface } of surfaces) await step(`adapter ${surface.platform}`, () => surface.adapter.stop())
      await step("conversations", () => conversations.stop())
      await step("router", () => router.stop())
      await step("runtime stream", () => sync!.stop())
      for (const { surface } of surfaces) await step(`outbox ${surface.platform}`, () => surface.outbox.stop())
      await step("storage", () => repos.close())
    },
  }
  return relay
}
