// The relay as operators run it — config → launch() (runtime attach, Mattermost adapter,
// HTTP server for button callbacks) — against real OpenCode, a scripted model and the fake
// Mattermost, with people (alice owns threads, bob may prompt but not approve, carol approves).
// `process: true` runs the relay as a child process (`switchboard start`) that tests can kill.
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { launch, type Launched } from "../../src/app/launch.ts"
import { parseConfig, type Config } from "../../src/app/config.ts"
import { platformAdapters } from "../../src/app/platforms.ts"
import { silentLogger, type Logger } from "../../src/log/logger.ts"
import { freePort } from "../../src/runtime/embedded-server.ts"
import { startFakeMattermost, type FakeMattermost, type PostView, type UserHandle } from "./mattermost/index.ts"
import { startModelServer, type ModelServer } from "./model-server/index.ts"
import { hermeticEnv, prepareRoot, startOpencode, type OpencodeServer } from "./opencode.ts"

const ROOT = resolve(import.meta.dirname, "..", "..")

export interface MattermostRelayOptions {
  /** Button callbacks (publicUrl + secret); without them approvals use reactions. */
  buttons?: boolean
  timeoutSeconds?: number
  rateLimit?: boolean
  /** The relay's access config; default: carol approves, alice may DM the bot. */
  access?: Record<string, unknown>
  /** Extra top-level config (permissions, projects, …) merged over the defaults. */
  config?: Record<string, unknown>
  /** The runtime's own `permission` config; default none (OpenCode allows everything). */
  runtimePermission?: unknown
  /**
   * No runtime.url: the relay spawns OpenCode itself (child-process runs only), from the
   * hermetic HOME; the bot token and signing secret come from the environment, not the file.
   */
  embedded?: boolean
  log?: Logger
}

export async function startMattermostRelay(opts: MattermostRelayOptions = {}) {
  const model: ModelServer = await startModelServer()
  const permission = opts.runtimePermission !== undefined ? { permission: opts.runtimePermission } : {}
  const opencode: OpencodeServer | undefined = opts.embedded ? undefined : await startOpencode({ modelUrl: model.url, ...permission })
  const tree = opencode ? { root: opencode.root, projectDir: opencode.projectDir } : prepareRoot({ modelUrl: model.url, ...permission })
  const secret = "test-secret-for-signing-callbacks"
  const mm: FakeMattermost = await startFakeMattermost(opts.rateLimit ? { rateLimit: true } : {})
  const alice: UserHandle = mm.addUser({ username: "alice" })
  const bob: UserHandle = mm.addUser({ username: "bob" })
  const carol: UserHandle = mm.addUser({ username: "carol", roles: "system_user" })
  const team = mm.addTeam({ name: "eng", members: [mm.bot.id, alice.id, bob.id, carol.id] })
  const channel = mm.addChannel({ teamId: team.id, name: "agents", type: "O", members: [mm.bot.id, alice.id, bob.id, carol.id] })
  const dir = mkdtempSync(join(tmpdir(), "sb-mm-"))
  const port = await freePort()
  const raw = {
    runtime: opencode ? { url: opencode.url, directory: opencode.projectDir } : { directory: tree.projectDir },
    storage: { path: join(dir, "switchboard.db") },
    http: { host: "127.0.0.1", port },
    log: { level: "debug" },
    chat: { interactionTimeoutSeconds: opts.timeoutSeconds ?? 300 },
    access: opts.access ?? { approve: { users: ["carol"] }, direct: { users: ["alice"] } },
    mattermost: {
      url: mm.url,
      ...(opts.embedded ? {} : { token: mm.bot.token }),
      channels: ["agents"],
      reconnect: { minMs: 200, jitterMs: 10 },
      ...(opts.buttons === false ? {} : { publicUrl: `http://127.0.0.1:${port}`, ...(opts.embedded ? {} : { secret }) }),
    },
    ...opts.config,
  }
  /** What the relay process's environment holds: secrets as an operator would pass them. */
  const processEnv: NodeJS.ProcessEnv = opts.embedded
    ? { ...hermeticEnv(tree.root), MATTERMOST_TOKEN: mm.bot.token, MATTERMOST_SECRET: secret, OPENCODE_SERVER_PASSWORD: "relay-side-runtime-password" }
    : { ...process.env }
  const configFile = join(dir, "config.json")
  writeFileSync(configFile, JSON.stringify(raw, null, 2))
  const config: Config = parseConfig(raw, opts.embedded ? { MATTERMOST_TOKEN: mm.bot.token, MATTERMOST_SECRET: secret } : {})
  const log = opts.log ?? silentLogger

  let launched: Launched | undefined
  let child: ChildProcess | undefined
  let childOutput = ""

  const h = {
    model,
    opencode,
    projectDir: tree.projectDir,
    root: tree.root,
    /** The values the relay must keep from the agent. */
    secrets: { token: mm.bot.token, secret, runtimePassword: "relay-side-runtime-password" },
    port,
    mm,
    alice,
    bob,
    carol,
    channel,
    config,
    configFile,
    get relay() {
      if (!launched) throw new Error("the relay runs as a child process in this test")
      return launched.relay
    },
    /** Starts the relay in this process. */
    /** Starts the relay in this process (with `override` instead of the harness config, if given). */
    async start(override?: Config) {
      const use = override ?? config
      launched = await launch({ config: use, adapters: platformAdapters(use, log), log })
      await mm.waitForConnection({ userId: mm.bot.id })
    },
    async stop() {
      await launched?.stop()
      launched = undefined
    },
    /** Starts `switchboard start` as a child process. */
    async startProcess() {
      childOutput = ""
      const connections = mm.stats().wsConnectionsTotal
      child = spawn(process.execPath, ["bin/switchboard.mjs", "start", "--config", configFile], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...processEnv, SWITCHBOARD_LOG_LEVEL: "debug" } })
      const running = new Promise<void>((resolve, reject) => {
        const onData = (b: Buffer) => {
          childOutput += b.toString()
          if (childOutput.includes('"msg":"Switchboard is running"')) resolve()
        }
        child!.stdout!.on("data", onData)
        child!.stderr!.on("data", onData)
        child!.once("exit", (code) => reject(new Error(`the relay exited with ${code}:\n${childOutput}`)))
      })
      await running
      await mm.waitFor((f) => f.stats().wsConnectionsTotal > connections && f.connections(mm.bot.id) > 0, { timeoutMs: 30_000, what: "the relay process to connect" })
      const health = await fetch(`http://127.0.0.1:${port}/healthz`)
      if (!health.ok) throw new Error(`health answered ${health.status}: ${await health.text()}`)
    },
    /** Kills the relay process without warning. */
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (!child || child.exitCode !== null) return
      const proc = child
      const gone = new Promise<void>((r) => proc.once("exit", () => r()))
      proc.kill(signal)
      // A graceful stop that hangs is a bug: say so, with what the relay printed.
      let timer: ReturnType<typeof setTimeout> | undefined
      const hung = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 15_000)))
      const timedOut = await Promise.race([gone.then(() => false), hung])
      clearTimeout(timer)
      if (timedOut) {
        proc.kill("SIGKILL")
        await gone
        throw new Error(`the relay did not exit within 15 s of ${signal}:\n${childOutput.split("\n").slice(-20).join("\n")}`)
      }
    },
    processOutput: () => childOutput,
    /** A top-level post in #agents. */
    say(user: UserHandle, message: string, root?: string): PostView {
      return mm.postAs(user.id, { channel_id: channel.id, message, ...(root ? { root_id: root } : {}) })
    },
    /** Resolves when the next turn in the thread rooted at `root` finishes (in-process relay). */
    turnFinished(root: string): Promise<void> {
      return new Promise<void>((resolve) => {
        const off = h.relay.conversations.events.on("turn.finished", (thread) => {
          if (thread.endsWith(`:${root}`)) {
            off()
            resolve()
          }
        })
      })
    },
    /** The bot's posts in a thread, oldest first. */
    botPosts(root: string): PostView[] {
      return mm.thread(root).filter((p) => p.user_id === mm.bot.id && !p.deleted)
    },
    /** The newest bot post in the thread that carries buttons. */
    buttonsIn(root: string) {
      const post = [...h.botPosts(root)].reverse().find((p) => {
        const atts = (p.props as { attachments?: Array<{ actions?: unknown[] }> } | undefined)?.attachments
        return atts?.some((a) => (a.actions?.length ?? 0) > 0)
      })
      if (!post) return undefined
      const actions = ((post.props as { attachments: Array<{ actions: Array<{ id: string; name: string }> }> }).attachments[0]!.actions)
      return { post, actions }
    },
    async close() {
      await h.kill()
      await h.stop()
      await mm.close()
      await opencode?.stop({ remove: true })
      await model.close()
    },
  }
  return h
}

export type MattermostRelay = Awaited<ReturnType<typeof startMattermostRelay>>
