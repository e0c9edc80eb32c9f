// Wires the relay together: runtime client and event sync, store, router, storage,
// interactions, conversations, and one outbox per chat platform. Start-up order matters:
// bindings are followed before the first resync, adapters connect before recovery (which may
// read the platform), and inbound events are held until recovery is done.
import type { ChatAdapter } from "../chat/types.ts"
import { COMMANDS } from "../commands/registry.ts"
import { commandSpecs } from "../commands/specs.ts"
import { AccessPolicy } from "../core/access/policy.ts"
import type { AccessConfig } from "../core/access/rules.ts"
import type { ConsentSettings } from "../core/consent/policy.ts"
import { Consent, ConsentError, consentRuntime, type ConsentReport } from "../core/consent/service.ts"
import { Conversations } from "../core/conversations/service.ts"
import type { ConversationSettings } from "../core/conversations/context.ts"
import type { Surface } from "../core/conversations/host.ts"
import { DEFAULT_REACTIONS, type ReactionChoices } from "../core/interactions/choices.ts"
import { Interactions } from "../core/interactions/service.ts"
import { runtimeReplies } from "../core/router/replies.ts"
import { Router } from "../core/router/router.ts"
import { Store } from "../core/store/store.ts"
import { RuntimeSync } from "../core/sync.ts"
import { Outbox, type OutboxObserver } from "../delivery/outbox.ts"
import type { Logger } from "../log/logger.ts"
import { withDeadline } from "../timing/deadline.ts"
import { createRuntimeClient, type RuntimeClient, type RuntimeConnection } from "../runtime/client.ts"
import type { BackoffOptions } from "../runtime/event-stream.ts"
import { openRepositories, type Repositories } from "../storage/repositories.ts"

export interface RelayOptions {
  runtime: RuntimeConnection
  storagePath: string
  settings: ConversationSettings
  access: AccessConfig
  /** The permission rules sessions carry (docs/consent.md). */
  consent: ConsentSettings
  /** How long a permission or question waits for an answer. */
  interactionTimeoutMs: number
  reactions?: ReactionChoices
  adapters: ChatAdapter[]
  log: Logger
  sync?: { heartbeatTimeoutMs?: number; backoff?: Partial<BackoffOptions> }
  /** How long start-up waits for the runtime before going on without it (it keeps retrying). */
  runtimeWaitMs?: number
  /** An observer per platform's outbox (metrics). */
  observe?(platform: string): OutboxObserver
  /** The runtime failed the consent check after start-up had already returned: stop serving. */
  onFatal?(err: Error): void
}

export interface Relay {
  client: RuntimeClient
  store: Store
  router: Router
  repos: Repositories
  sync: RuntimeSync
  conversations: Conversations
  interactions: Interactions
  access: AccessPolicy
  consent: Consent
  /** The consent check of each project directory, once the runtime answered. */
  consentReports(): ConsentReport[]
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
  // Menus outlive their buttons (a day) by a week, for a late click's clear answer.
  repos.menus.prune(Date.now() - 8 * 24 * 3_600_000)
  const access = new AccessPolicy(opts.access)
  const consent = new Consent({
    runtime: consentRuntime(client),
    settings: opts.consent,
    log: log.child({ room: "consent" }),
  })
  let conversations: Conversations | undefined
  const interactions = new Interactions({
    repos,
    access,
    timeoutMs: opts.interactionTimeoutMs,
    reactions: opts.reactions ?? DEFAULT_REACTIONS,
    prefix: opts.settings.commandPrefix,
    log: log.child({ room: "interactions" }),
    hostOf: (thread) => conversations?.conversations.get(thread),
  })
  const router = new Router({
    store,
    replies: runtimeReplies(client, store),
    log: log.child({ room: "router" }),
    timeoutMs: opts.interactionTimeoutMs,
    deadlineOf: (r) => interactions.deadlineOf(r.request.id),
  })
  let sync: RuntimeSync | undefined
  conversations = new Conversations({
    client,
    store,
    router,
    repos,
    interactions,
    access,
    consent,
    settings: opts.settings,
    log: log.child({ room: "conversations" }),
    refresh: (sessionID, directory) => sync!.refresh(sessionID, directory),
    runtimeConnected: () => sync?.stream.state === "connected",
  })
  const convs = conversations
  const surfaces = opts.adapters.map((adapter) => {
    const outbox = new Outbox({ adapter, log: log.child({ room: "delivery", platform: adapter.platform }), onThreadGone: (thread) => convs.threadGone(thread), ...(opts.observe ? { observer: opts.observe(adapter.platform) } : {}) })
    const surface: Surface = { platform: adapter.platform, adapter, outbox }
    return { surface, sink: convs.addSurface(surface) }
  })
  sync = new RuntimeSync({
    client,
    store,
    log: log.child({ room: "runtime" }),
    directories: () => convs.directories(),
    sessionsOfInterest: () => convs.sessionsOfInterest(),
    ...(opts.sync?.heartbeatTimeoutMs ? { heartbeatTimeoutMs: opts.sync.heartbeatTimeoutMs } : {}),
    ...(opts.sync?.backoff ? { backoff: opts.sync.backoff } : {}),
  })
  convs.attachAll()
  // Adapters connect first (recovery may need to read the platform), but the events they
  // deliver wait until consent is verified and the core has resynced and recovered. A runtime
  // that fails the consent check never gets a prompt: the gate stays shut.
  let open!: () => void
  let refused: Error | undefined
  const gate = new Promise<void>((resolve) => (open = resolve))
  for (const { surface, sink } of surfaces) {
    await surface.adapter.start(async (event) => {
      await gate
      if (refused) return { ephemeral: "This relay is not serving: its OpenCode runtime does not enforce approvals. An operator has been told." }
      return sink(event)
    })
    // Native commands mirror the prefix commands; without them the prefix still works.
    const register = surface.adapter.registerCommands
    if (register) {
      void register.call(surface.adapter, commandSpecs(COMMANDS)).then(
        () => log.info({ platform: surface.platform, commands: COMMANDS.length }, "registered the platform's native commands"),
        (err: unknown) => log.warn({ err, platform: surface.platform }, `could not register native commands; the ${opts.settings.commandPrefix} prefix commands still work`),
      )
    }
  }
  const names = await access.resolve(opts.adapters, log.child({ room: "access" }))
  if (names.unresolved.length > 0) log.warn({ unresolved: names.unresolved }, "some names in the access config match nobody")
  const reports: ConsentReport[] = []
  const verify = async () => {
    for (const dir of new Set([opts.settings.defaultDirectory, ...Object.keys(opts.consent.projects)])) {
      const report = await consent.verify(dir)
      reports.push(report)
      if (!report.ok) throw new ConsentError(`Refusing to serve: sessions the relay creates in ${dir} would not ask before running commands or editing files — ${report.problems.join("; ")}. Use a runtime that keeps session permission rules (OpenCode 1.18 does), and check its config.`)
      log.info({ directory: dir, rules: report.lines }, "consent verified: sessions ask before running what the rules ask about")
    }
  }
  sync.start()
  const ready = sync
    .ready()
    .then(verify)
    .then(() => convs.recover())
    .then(
      () => open(),
      (err: unknown) => {
        if (err instanceof ConsentError) {
          refused = err
          log.error({ err }, err.message)
          opts.onFatal?.(err)
        } else log.error({ err }, "recovery after start-up failed")
        open()
        if (err instanceof ConsentError) throw err
      },
    )
  ready.catch(() => {}) // reported above; start-up waits on it below when it can
  const waited = await Promise.race([ready.then(() => true, (err: unknown) => Promise.reject(err)), new Promise<boolean>((r) => setTimeout(() => r(false), opts.runtimeWaitMs ?? 30_000).unref())]).catch(async (err: unknown) => {
    for (const { surface } of surfaces) await surface.adapter.stop().catch(() => {})
    await sync?.stop()
    router.stop()
    repos.close()
    throw err
  })
  if (!waited) {
    log.warn({ url: opts.runtime.url }, "the runtime is not reachable yet; starting anyway and verifying consent when it connects (nothing is sent to it before)")
  }
  const relay: Relay = {
    client,
    store,
    router,
    repos,
    sync,
    conversations: convs,
    interactions,
    access,
    consent,
    consentReports: () => [...reports],
    surfaces: surfaces.map((s) => s.surface),
    async stop() {
      // Each step gets a few seconds; one that hangs is logged and skipped, never blocks exit.
      const step = async (what: string, fn: () => Promise<unknown> | unknown) => {
        log.debug({ step: what }, "stopping")
        try {
          const result = await withDeadline(Promise.resolve().then(fn), 5_000)
          if (!result.done) log.error({ step: what }, "a shutdown step did not finish within 5 s; going on")
        } catch (err) {
          log.warn({ err, step: what }, "a shutdown step failed")
        }
      }
      for (const { surface } of surfaces) await step(`adapter ${surface.platform}`, () => surface.adapter.stop())
      await step("conversations", () => convs.stop())
      await step("router", () => router.stop())
      await step("runtime stream", () => sync!.stop())
      client.close()
      for (const { surface } of surfaces) await step(`outbox ${surface.platform}`, () => surface.outbox.stop())
      await step("storage", () => repos.close())
    },
  }
  return relay
}
