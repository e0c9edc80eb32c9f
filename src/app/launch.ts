// Starts a whole relay from a validated config: the runtime (attached or embedded), the chat
// adapters, the core, and the HTTP server; returns one stop() that undoes it in order.
import type { ChatAdapter } from "../chat/types.ts"
import type { ConsentSettings } from "../core/consent/policy.ts"
import type { ConversationSettings } from "../core/conversations/context.ts"
import { DEFAULT_REACTIONS } from "../core/interactions/choices.ts"
import type { Logger } from "../log/logger.ts"
import type { Config } from "./config.ts"
import { startHttpServer, type HttpServer } from "./http.ts"
import { createMetrics } from "./metrics.ts"
import { metricsRoute } from "./metrics-route.ts"
import { startRelay, type Relay } from "./relay.ts"
import { openRuntime, type RuntimeHandle } from "./runtime.ts"

export interface Launched {
  relay: Relay
  http: HttpServer | undefined
  runtime: RuntimeHandle
  stop(): Promise<void>
}

export function settingsFrom(config: Config, directory: string): ConversationSettings {
  return {
    commandPrefix: config.chat.commandPrefix,
    defaultDirectory: directory,
    verbosity: config.chat.verbosity,
    maxPromptChars: config.chat.maxPromptChars,
    maxAttachmentBytes: Math.round(config.chat.maxAttachmentMB * 1024 * 1024),
    maxQueuedPerThread: config.chat.maxQueuedPerThread,
    maxProviderRetries: config.chat.maxProviderRetries,
    typingIntervalMs: 4_000,
    startTimeoutMs: 60_000,
    ...(config.chat.model ? { model: config.chat.model } : {}),
    ...(config.chat.agent ? { agent: config.chat.agent } : {}),
  }
}

export function consentFrom(config: Config): ConsentSettings {
  return {
    permissions: config.permissions,
    projects: Object.fromEntries(Object.entries(config.projects).map(([dir, p]) => [dir, p.permissions ?? {}])),
  }
}

export async function launch(opts: {
  config: Config
  adapters: ChatAdapter[]
  log: Logger
  /** Adjust settings for a front end (the terminal uses `/` commands). */
  settings?: Partial<ConversationSettings>
  /** Serve health and callbacks (off for the terminal chat). */
  http?: boolean
  /** The runtime failed the consent check after start-up returned (see RelayOptions.onFatal). */
  onFatal?(err: Error): void
}): Promise<Launched> {
  const { config, log } = opts
  const runtime = await openRuntime(config, log)
  const metrics = createMetrics()
  let relay: Relay | undefined
  let http: HttpServer | undefined
  try {
    relay = await startRelay({
      runtime: runtime.connection,
      storagePath: config.storage.path,
      settings: { ...settingsFrom(config, runtime.directory), ...opts.settings },
      access: config.access,
      consent: consentFrom(config),
      observe: (platform) => metrics.observer(platform),
      ...(opts.onFatal ? { onFatal: opts.onFatal } : {}),
      interactionTimeoutMs: config.chat.interactionTimeoutSeconds * 1000,
      reactions: { ...DEFAULT_REACTIONS, ...config.reactions },
      adapters: opts.adapters,
      log,
    })
    const started = relay
    metrics.attach(started)
    if (opts.http !== false) {
      http = await startHttpServer({
        host: config.http.host,
        port: config.http.port,
        routes: [...opts.adapters.flatMap((a) => a.routes?.() ?? []), metricsRoute(metrics, config.metrics.token)],
        health: () => ({ ok: started.sync.stream.state === "connected", runtime: started.sync.stream.state, platforms: opts.adapters.map((a) => a.platform) }),
        log: log.child({ room: "http" }),
      })
      log.info({ url: http.url }, "HTTP server listening (health, platform callbacks)")
    }
  } catch (err) {
    await relay?.stop().catch(() => {})
    await runtime.stop()
    throw err
  }
  const relayStarted = relay
  return {
    relay: relayStarted,
    http,
    runtime,
    async stop() {
      await http?.close()
      await relayStarted.stop()
      await runtime.stop()
    },
  }
}
