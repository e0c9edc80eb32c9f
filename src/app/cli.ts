// The `switchboard` command: start (the relay with the configured chat platforms), chat (a
// terminal conversation through the same core), doctor (checks the set-up), version, help.
import { randomBytes } from "node:crypto"
import { chmodSync, createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { format, parseArgs } from "node:util"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { inviteUrl, REQUIRED_PERMISSIONS } from "../../adapters/discord/setup.ts"
import { manifestYaml } from "../../adapters/slack/manifest.ts"
import { TerminalAdapter } from "../../adapters/terminal/adapter.ts"
import { COMMANDS } from "../commands/registry.ts"
import { commandSpecs } from "../commands/specs.ts"
import type { ChatAdapter } from "../chat/types.ts"
import { createLogger, registerSecret, type Logger } from "../log/logger.ts"
import { ConfigError, loadConfig, type Config } from "./config.ts"
import { installCrashGuard } from "./crash-guard.ts"
import { configFileWarning, runDoctor } from "./doctor.ts"
import { launch } from "./launch.ts"
import { platformAdapters } from "./platforms.ts"

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..")

const HELP = `Switchboard: drive OpenCode agent sessions from team chat.

Usage: switchboard <command> [--config <file>]

Commands:
  start    Run the relay with the chat platforms in the config (no platform configured and a
           terminal attached: starts the terminal chat instead).
  chat     Talk to the agent in this terminal, through the same core the platforms use.
  doctor   Check the config, the database, the OpenCode runtime (and the permission rules its
           sessions carry), the chat platforms and the access settings.
  init     Write a starter config.json (readable by you only) with a fresh signing secret.
  slack-manifest
           Print the Slack app manifest (scopes, events, slash command) for the config's
           slack section: paste it into "Create an app → From a manifest".
  discord-invite
           Print the invite URL with exactly the permissions the bot needs, and the intents
           to turn on (needs discord.applicationId).
  version  Print the version.

The config file defaults to ./config.json (or $SWITCHBOARD_CONFIG); see config.example.json.`

function version(): string {
  return (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version
}

function readArgs(argv: string[]): { command: string; config: string | undefined } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { config: { type: "string", short: "c" }, help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } },
  })
  const config = typeof values.config === "string" ? values.config : undefined
  if (values.help) return { command: "help", config }
  if (values.version) return { command: "version", config }
  return { command: positionals[0] ?? "help", config }
}

/**
 * Libraries that print with console.* (the Mattermost WebSocket client does) would scribble
 * over the terminal chat and mix with JSON logs: route them into the structured log instead.
 */
function routeConsole(log: Logger) {
  const to = (level: "debug" | "info" | "warn") => (...args: unknown[]) => log[level]({ source: "console" }, format(...args))
  console.log = to("debug")
  console.info = to("debug")
  console.debug = to("debug")
  console.warn = to("warn")
}

function onSignals(stop: () => Promise<void>, log: Logger) {
  let stopping = false
  const handler = (signal: string) => {
    if (stopping) process.exit(1)
    stopping = true
    log.info({ signal }, "shutting down")
    stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error({ err }, "shutdown failed")
        process.exit(1)
      })
  }
  process.once("SIGINT", handler)
  process.once("SIGTERM", handler)
}

async function chat(config: Config): Promise<void> {
  // Logs go to a file next to the database, so they do not scribble over the conversation.
  const logFile = join(dirname(resolve(config.storage.path)), "switchboard-chat.log")
  mkdirSync(dirname(logFile), { recursive: true })
  const log = createLogger({ level: config.log.level, destination: createWriteStream(logFile, { flags: "a" }) })
  routeConsole(log)
  process.stdout.write(`Starting (logs: ${logFile})…\n`)
  let launched: Awaited<ReturnType<typeof launch>> | undefined
  let quitting = false
  const quit = () => {
    if (quitting) return
    quitting = true
    process.stdout.write("\nBye.\n")
    void (launched?.stop() ?? Promise.resolve()).finally(() => process.exit(0))
  }
  const terminal = new TerminalAdapter({ input: process.stdin, output: process.stdout, onQuit: quit })
  // The terminal is a direct conversation with whoever runs it on this machine: they may prompt
  // and answer their own requests (the chat platforms' access rules do not apply here).
  const local = { ...config, access: { direct: { users: [terminal.localUser.id] }, ownersApprove: true } }
  launched = await launch({ config: local, adapters: [terminal], log, settings: { commandPrefix: "/" }, http: false })
  process.once("SIGTERM", quit)
}

async function start(config: Config, file: string | undefined): Promise<void> {
  const log = createLogger({ level: config.log.level })
  routeConsole(log)
  const exposed = file ? configFileWarning(file) : undefined
  if (exposed) log.warn({ file }, exposed)
  const adapters: ChatAdapter[] = platformAdapters(config, log)
  if (adapters.length === 0) {
    if (process.stdin.isTTY) {
      process.stdout.write("No chat platform is configured (see README: Mattermost set-up), so this is the terminal chat.\n")
      return chat(config)
    }
    throw new ConfigError("No chat platform is configured. Add a \"mattermost\", \"slack\" or \"discord\" section to the config (see config.example.json), or run `switchboard chat` in a terminal.")
  }
  installCrashGuard(log)
  const launched = await launch({ config, adapters, log })
  log.info({ platforms: adapters.map((a) => a.platform), version: version() }, "Switchboard is running")
  onSignals(() => launched.stop(), log)
}

async function doctor(config: Config, file: string | undefined): Promise<number> {
  const { lines, failed } = await runDoctor(config, file)
  process.stdout.write(`${lines.join("\n")}\n`)
  return failed === 0 ? 0 : 1
}

function slackManifest(config: Config): string {
  const slack = config.slack
  const mode = slack?.mode ?? "socket"
  // HTTP mode: Slack posts events, clicks and commands to the relay's public events URL.
  const requestUrl = mode === "http" && slack?.publicUrl ? new URL(slack.eventsPath, slack.publicUrl).toString() : undefined
  if (mode === "http" && !requestUrl) throw new ConfigError("slack.mode is http: set slack.publicUrl (where Slack reaches the relay) to print the manifest")
  return manifestYaml({
    commandName: slack?.commandName ?? "/switchboard",
    commands: commandSpecs(COMMANDS),
    mode,
    ...(requestUrl ? { requestUrl } : {}),
  })
}

function discordInvite(config: Config): number {
  const id = config.discord?.applicationId
  if (!id) {
    process.stderr.write("switchboard: set discord.applicationId (Developer Portal → your application → General Information → Application ID) to print the invite URL.\n")
    return 2
  }
  process.stdout.write(`${inviteUrl(id)}\n\nTurn on in Developer Portal → Bot → Privileged Gateway Intents: Message Content Intent.\nPermissions: ${REQUIRED_PERMISSIONS.map((p) => p.name).join(", ")}.\n`)
  return 0
}

/** Writes a starter config (mode 0600: it will hold tokens) with fresh random secrets. */
function init(path: string | undefined): number {
  const target = resolve(path ?? "config.json")
  const example = JSON.parse(readFileSync(join(ROOT, "config.example.json"), "utf8")) as Record<string, Record<string, unknown>>
  if (example.mattermost) example.mattermost.secret = randomBytes(24).toString("base64url")
  // One platform to start from; the Slack and Discord sections are in config.example.json.
  delete example.slack
  delete example.discord
  if (example.runtime) delete example.runtime.password
  try {
    writeFileSync(target, `${JSON.stringify(example, null, 2)}\n`, { mode: 0o600, flag: "wx" })
  } catch (err) {
    const exists = (err as NodeJS.ErrnoException).code === "EEXIST"
    process.stderr.write(`switchboard: ${exists ? `${target} already exists; not overwritten` : (err as Error).message}\n`)
    return 1
  }
  chmodSync(target, 0o600)
  process.stdout.write(
    `Wrote ${target} (readable by you only) with a fresh button-signing secret.\n` +
      `Edit it: the chat platform's URL and token, runtime.url (or delete it for an embedded OpenCode), access rules.\n` +
      `For Slack or Discord, add their section from config.example.json (README: Connecting Slack / Discord).\n` +
      `Keep it outside every project directory the agent works in. Then: switchboard doctor --config ${target}\n`,
  )
  return 0
}

export async function main(argv: string[]): Promise<number> {
  const { command, config: path } = readArgs(argv)
  if (command === "help") {
    process.stdout.write(`${HELP}\n`)
    return 0
  }
  if (command === "init") return init(path)
  if (command === "version") {
    process.stdout.write(`${version()}\n`)
    return 0
  }
  try {
    const { config, file } = loadConfig(path)
    // Whatever a log line says later, these values never appear in it.
    for (const secret of [
      config.runtime.password,
      config.mattermost?.token,
      config.mattermost?.secret,
      config.slack?.botToken,
      config.slack?.appToken,
      config.slack?.signingSecret,
      config.discord?.token,
      config.metrics.token,
    ])
      registerSecret(secret)
    switch (command) {
      case "start":
        await start(config, file)
        return -1 // keep running
      case "chat":
        await chat(config)
        return -1
      case "doctor":
        return await doctor(config, file)
      case "slack-manifest":
        process.stdout.write(slackManifest(config))
        return 0
      case "discord-invite":
        return discordInvite(config)
      case "init":
        return init(path)
      default:
        process.stderr.write(`Unknown command "${command}".\n\n${HELP}\n`)
        return 2
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`switchboard: ${message}\n`)
    return err instanceof ConfigError ? 2 : 1
  }
}
