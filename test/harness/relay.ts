// The whole relay in-process against real OpenCode and the in-memory chat platform, with
// helpers that act as people do: mention the bot, reply in the thread, click, react. The
// platform (MemoryAdapter) outlives relay restarts, as a real chat server would.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MemoryAdapter } from "../../adapters/memory/adapter.ts"
import { startRelay, type Relay } from "../../src/app/relay.ts"
import type { ChatCapabilities, ChatEvent, ChatFile, ChatReply, ChatUser } from "../../src/chat/types.ts"
import type { AccessConfig } from "../../src/core/access/rules.ts"
import type { ConsentSettings } from "../../src/core/consent/policy.ts"
import type { ConversationSettings } from "../../src/core/conversations/context.ts"
import { silentLogger, type Logger } from "../../src/log/logger.ts"
import { startModelServer, type ModelServer } from "./model-server/index.ts"
import { startOpencode, type OpencodeServer } from "./opencode.ts"
import { until } from "./wait.ts"

export interface RelayHarnessOptions {
  timeoutMs?: number
  access?: AccessConfig
  capabilities?: Partial<ChatCapabilities>
  settings?: Partial<ConversationSettings>
  consent?: Partial<ConsentSettings>
  /** Puts something between the relay and the runtime (e.g. a misbehaving proxy); returns the URL the relay uses. */
  wrapRuntime?(url: string): Promise<string>
  /** The relay's runtime call timeout (default 30 s). */
  callTimeoutMs?: number
  /** The runtime's own `permission` config (default: none, i.e. OpenCode's allow-everything). */
  runtimePermission?: unknown
  log?: Logger
}

let seq = 0

export async function startRelayHarness(opts: RelayHarnessOptions = {}) {
  const model: ModelServer = await startModelServer()
  // The runtime keeps its own defaults (bash and edit allowed): consent comes from the relay.
  let opencode: OpencodeServer = await startOpencode({ modelUrl: model.url, permission: opts.runtimePermission ?? null })
  // People are `u-<name>` in every test; channels keep their ids as names.
  const adapter = new MemoryAdapter({
    capabilities: { maxMessageLength: 4_000, ...opts.capabilities },
    directory: (kind, name) => (kind === "user" ? `u-${name}` : name),
  })
  const storagePath = join(mkdtempSync(join(tmpdir(), "sb-relay-")), "switchboard.db")
  const settings: ConversationSettings = {
    commandPrefix: "!",
    defaultDirectory: opencode.projectDir,
    verbosity: "essential",
    maxPromptChars: 100_000,
    maxAttachmentBytes: 5 * 1024 * 1024,
    maxQueuedPerThread: 10,
    maxProviderRetries: 8,
    typingIntervalMs: 2_000,
    startTimeoutMs: 20_000,
    ...opts.settings,
  }
  const runtimeUrl = opts.wrapRuntime ? await opts.wrapRuntime(opencode.url) : opencode.url
  const boot = () =>
    startRelay({
      runtime: { url: runtimeUrl, ...(opts.callTimeoutMs ? { callTimeoutMs: opts.callTimeoutMs } : {}) },
      storagePath,
      settings,
      access: opts.access ?? {},
      consent: { permissions: {}, projects: {}, ...opts.consent },
      interactionTimeoutMs: opts.timeoutMs ?? 60_000,
      adapters: [adapter],
      log: opts.log ?? silentLogger,
      sync: { backoff: { initialMs: 100, maxMs: 1_000 } },
    })
  let relay: Relay = await boot()

  const send = (event: ChatEvent): Promise<ChatReply | void> => adapter.send(event)
  const base = (user: ChatUser, thread: string) => {
    const scope = adapter.scopeOf(thread)
    return { platform: "memory", workspace: scope.workspace, channel: scope.channel, space: "channel" as const, thread, user, id: `ev${++seq}`, at: Date.now() }
  }

  const h = {
    model,
    get opencode() {
      return opencode
    },
    adapter,
    storagePath,
    dir: opencode.projectDir,
    get relay() {
      return relay
    },
    user(name: string, extra: Partial<ChatUser> = {}): ChatUser {
      return { id: `u-${name}`, name, isBot: false, ...extra }
    },
    /** A top-level message mentioning the bot: a new thread. */
    async mention(user: ChatUser, text: string, channel = "c1", files: ChatFile[] = []) {
      const thread = adapter.thread(channel)
      const reply = await send({ ...base(user, thread), kind: "message", message: `${thread}:root`, text, files, mentioned: true, threadStart: true })
      return { thread, reply }
    },
    reply(user: ChatUser, thread: string, text: string, extra: Partial<Extract<ChatEvent, { kind: "message" }>> = {}) {
      return send({ ...base(user, thread), kind: "message", message: `${thread}:r${seq}`, text, files: [], mentioned: false, threadStart: false, ...extra })
    },
    click(user: ChatUser, thread: string, message: string, actionId: string, value?: string) {
      return send({ ...base(user, thread), kind: "action", message, actionId, ...(value !== undefined ? { value } : {}) })
    },
    react(user: ChatUser, thread: string, message: string, emoji: string) {
      return send({ ...base(user, thread), kind: "reaction", message, emoji, added: true })
    },
    /** Waits until `check` holds, re-checked whenever the platform records a call or a turn ends. */
    waitFor<T>(check: () => T | undefined | null | false, what?: string, timeoutMs = 30_000): Promise<T> {
      return until(
        check,
        (notify) => {
          const offs = [
            adapter.onChange(notify),
            relay.conversations.events.on("turn.finished", notify),
            relay.conversations.events.on("turn.started", notify),
            relay.store.events.on("session.status", notify),
          ]
          return () => offs.forEach((off) => off())
        },
        { timeoutMs, ...(what ? { what } : {}) },
      )
    },
    /** Resolves with the thread's turn once it has finished. */
    turnDone(thread: string, index = 0, timeoutMs = 60_000) {
      return h.waitFor(() => {
        const turns = relay.repos.db.prepare("SELECT id, state FROM turns WHERE thread = ? ORDER BY id").all(thread) as Array<{ id: number; state: string }>
        const t = turns[index]
        return t && t.state !== "streaming" ? relay.repos.turns.get(t.id) : undefined
      }, `turn ${index} of ${thread} to finish`, timeoutMs)
    },
    transcript(thread: string) {
      return adapter.transcript(thread)
    },
    /** The message carrying interaction buttons in a thread (the newest one). */
    actionMessage(thread: string) {
      return [...adapter.visible(thread)].reverse().find((m) => m.actions && m.actions.length > 0)
    },
    /**
     * Kills the runtime (SIGKILL, as a crash would) and starts it again on the same port with the
     * same data; `between` runs while it is dead.
     */
    async restartRuntime(between?: () => void | Promise<void>) {
      const { root, port } = opencode
      await opencode.stop({ signal: "SIGKILL" })
      await between?.()
      opencode = await startOpencode({ modelUrl: model.url, root, port, permission: opts.runtimePermission ?? null })
    },
    /** Stops the relay and starts it again on the same database and platform; `between` runs while it is down. */
    async restart(between?: () => void | Promise<void>) {
      await relay.stop()
      await between?.()
      relay = await boot()
    },
    async close() {
      await relay.stop()
      await opencode.stop({ remove: true })
      await model.close()
    },
  }
  return h
}

export type RelayHarness = Awaited<ReturnType<typeof startRelayHarness>>
