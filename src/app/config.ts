// The configuration file (JSON), validated with zod, with environment overrides for secrets
// and deploy-time values. Every error names the field and says what is expected.
import { existsSync, readFileSync } from "node:fs"
import { resolve } from "node:path"
import { z } from "zod"

const rule = z
  .object({
    everyone: z.boolean().optional(),
    users: z.array(z.string()).optional(),
    groups: z.array(z.string()).optional(),
  })
  .strict()

const action = z.enum(["allow", "ask", "deny"])
/** OpenCode's permission syntax: one action, or pattern → action (last matching pattern wins). */
const permissionSetting = z.union([action, z.record(z.string().min(1), action)])
const permissions = z.record(z.string().min(1), permissionSetting)

const rateRule = z
  .object({
    scope: z.enum(["channel", "workspace"]),
    ops: z.array(z.enum(["post", "edit", "delete", "react", "typing", "upload", "stream-start", "stream", "stream-stop"])).min(1),
    max: z.number().int().positive(),
    perMs: z.number().int().positive(),
    burst: z.number().int().positive().optional(),
  })
  .strict()
  .refine((r) => r.burst === undefined || r.burst < r.max, { message: "a rate rule's burst must be below its max" })

/**
 * The message of a field that must be given: "required — <what it is>" when it is absent (or
 * empty), zod's own wording otherwise. The formatter adds the environment variable that can
 * supply it (ENV_OVERRIDES).
 */
const required =
  (what: string, invalid?: string) =>
  (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined || issue.input === "" ? `required — ${what}` : invalid

const mattermost = z
  .object({
    url: z.url({ error: required("the server root, e.g. https://chat.example.com", "must be the server root, e.g. https://chat.example.com") }),
    token: z.string({ error: required("the bot account's access token") }).min(1, { error: required("the bot account's access token") }),
    team: z.string().min(1).optional(),
    channels: z.array(z.string()).default([]),
    publicUrl: z.url().optional(),
    secret: z.string().min(16, "mattermost.secret must be at least 16 characters").optional(),
    callbackPath: z.string().startsWith("/").default("/mattermost/actions"),
    /** Addresses (IPs or CIDR ranges) button callbacks may come from: the Mattermost server's. */
    callbackAllowFrom: z.array(z.string().min(1)).optional(),
    softPostLength: z.number().int().min(500).default(3000),
    rateRules: z.array(rateRule).optional(),
    /** WebSocket reconnect pacing (defaults follow the official client: 3 s plus up to 2 s jitter). */
    reconnect: z.object({ minMs: z.number().int().min(50).optional(), jitterMs: z.number().int().min(0).optional() }).strict().optional(),
  })
  .strict()
  .refine((m) => !m.publicUrl || m.secret, { path: ["secret"], message: "required when mattermost.publicUrl is set — it signs button callbacks" })

const slack = z
  .object({
    botToken: z.string({ error: required("the Bot User OAuth Token (xoxb-…)") }).min(1, { error: required("the Bot User OAuth Token (xoxb-…)") }),
    appToken: z.string().min(1).optional(),
    signingSecret: z.string().min(1).optional(),
    mode: z.enum(["socket", "http"]).default("socket"),
    apiUrl: z.url().optional(),
    eventsPath: z.string().startsWith("/").default("/slack/events"),
    /** HTTP mode: the relay's URL as Slack reaches it (for the manifest's request URLs). */
    publicUrl: z.url().optional(),
    channels: z.array(z.string()).default([]),
    commandName: z.string().regex(/^\/[a-z0-9_-]{1,31}$/, "a slash command such as /switchboard").default("/switchboard"),
    streaming: z.boolean().default(true),
    softMessageLength: z.number().int().min(500).max(11_000).default(4_000),
    rateRules: z.array(rateRule).optional(),
  })
  .strict()
  .refine((c) => c.mode !== "socket" || c.appToken, { path: ["appToken"], message: "required in socket mode — an app-level token (xapp-…) with connections:write" })
  .refine((c) => c.mode !== "http" || c.signingSecret, { path: ["signingSecret"], message: "required in http mode — it verifies every request Slack sends" })

const discord = z
  .object({
    token: z.string({ error: required("the bot token (Developer Portal → Bot)") }).min(1, { error: required("the bot token (Developer Portal → Bot)") }),
    applicationId: z.string().regex(/^\d+$/, "the numeric application id").optional(),
    apiUrl: z.url().optional(),
    guilds: z.array(z.string()).default([]),
    channels: z.array(z.string()).default([]),
    components: z.boolean().default(true),
    slashCommands: z.boolean().default(true),
    softMessageLength: z.number().int().min(200).max(1_990).default(1_900),
    maxUploadMB: z.number().positive().max(500).default(10),
    rateRules: z.array(rateRule).optional(),
  })
  .strict()

export const configSchema = z
  .object({
    runtime: z
      .object({
        /** Attach to this OpenCode (or Kilo) server; without it an embedded `opencode serve` is spawned. */
        url: z.url().optional(),
        username: z.string().optional(),
        password: z.string().optional(),
        /** Default project directory of new sessions. */
        directory: z.string().optional(),
        /** Longest wait for one runtime API call before it counts as failed. */
        callTimeoutSeconds: z.number().int().min(1).max(3_600).default(30),
        /** Environment variables the embedded runtime may see besides the basics (provider keys). */
        passEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "runtime.passEnv holds environment variable names")).default([]),
      })
      .strict()
      .default({ passEnv: [], callTimeoutSeconds: 30 }),
    /** Permission rules every session carries, on top of the safe base (bash, edit … ask). */
    permissions: permissions.default({}),
    /** Per project directory: rules on top of `permissions` for sessions there. */
    projects: z.record(z.string().min(1), z.object({ permissions: permissions.optional() }).strict()).default({}),
    storage: z.object({ path: z.string().default("./data/switchboard.db") }).strict().default({ path: "./data/switchboard.db" }),
    http: z
      .object({ host: z.string().default("127.0.0.1"), port: z.number().int().min(0).max(65535).default(8787) })
      .strict()
      .default({ host: "127.0.0.1", port: 8787 }),
    metrics: z
      .object({ token: z.string().min(16, "metrics.token must be at least 16 characters").optional() })
      .strict()
      .default({}),
    log: z.object({ level: z.enum(["trace", "debug", "info", "warn", "error", "silent"]).default("info") }).strict().default({ level: "info" }),
    chat: z
      .object({
        commandPrefix: z.string().min(1).max(3).default("!"),
        verbosity: z.enum(["text", "essential", "all"]).default("essential"),
        interactionTimeoutSeconds: z.number().int().min(1).max(86_400).default(300),
        maxAttachmentMB: z.number().positive().max(100).default(10),
        maxPromptChars: z.number().int().positive().default(100_000),
        /** Follow-ups waiting per thread while the agent works; more are refused with a note. */
        maxQueuedPerThread: z.number().int().min(1).max(1_000).default(10),
        /** The runtime retries a failing provider forever; the relay stops the turn after this many attempts. */
        maxProviderRetries: z.number().int().min(1).max(100).default(8),
        model: z.string().regex(/^[^/]+\/.+$/, "chat.model is providerID/modelID").optional(),
        agent: z.string().optional(),
      })
      .strict()
      .default({ commandPrefix: "!", verbosity: "essential", interactionTimeoutSeconds: 300, maxAttachmentMB: 10, maxPromptChars: 100_000, maxQueuedPerThread: 10, maxProviderRetries: 8 }),
    access: z
      .object({
        prompt: rule.optional(),
        approve: rule.optional(),
        admin: rule.optional(),
        channels: z.record(z.string(), z.object({ prompt: rule.optional(), approve: rule.optional(), admin: rule.optional() }).strict()).optional(),
        /** Who may use direct and group messages; absent = nobody (DMs off). */
        direct: rule.optional(),
        allowBots: z.array(z.string()).optional(),
        /** The thread owner may answer its requests (default: only while no approvers are configured). */
        ownersApprove: z.boolean().optional(),
      })
      .strict()
      .default({}),
    reactions: z
      .object({
        once: z.array(z.string()).optional(),
        always: z.array(z.string()).optional(),
        reject: z.array(z.string()).optional(),
        numbers: z.array(z.string()).optional(),
      })
      .strict()
      .default({}),
    mattermost: mattermost.optional(),
    slack: slack.optional(),
    discord: discord.optional(),
  })
  .strict()

export type Config = z.infer<typeof configSchema>

export class ConfigError extends Error {
  readonly code = "config_invalid"
}

/** Environment variables that override the file (secrets and deploy-time values). */
export const ENV_OVERRIDES: Array<[string, string[]]> = [
  ["SWITCHBOARD_RUNTIME_URL", ["runtime", "url"]],
  ["OPENCODE_SERVER_USERNAME", ["runtime", "username"]],
  ["OPENCODE_SERVER_PASSWORD", ["runtime", "password"]],
  ["SWITCHBOARD_DIRECTORY", ["runtime", "directory"]],
  ["SWITCHBOARD_DB", ["storage", "path"]],
  ["SWITCHBOARD_HTTP_HOST", ["http", "host"]],
  ["SWITCHBOARD_HTTP_PORT", ["http", "port"]],
  ["SWITCHBOARD_LOG_LEVEL", ["log", "level"]],
  ["SWITCHBOARD_METRICS_TOKEN", ["metrics", "token"]],
  ["MATTERMOST_URL", ["mattermost", "url"]],
  ["MATTERMOST_TOKEN", ["mattermost", "token"]],
  ["MATTERMOST_PUBLIC_URL", ["mattermost", "publicUrl"]],
  ["MATTERMOST_SECRET", ["mattermost", "secret"]],
  ["SLACK_BOT_TOKEN", ["slack", "botToken"]],
  ["SLACK_APP_TOKEN", ["slack", "appToken"]],
  ["SLACK_SIGNING_SECRET", ["slack", "signingSecret"]],
  ["DISCORD_TOKEN", ["discord", "token"]],
]

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
  let node = target
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    node = (typeof next === "object" && next !== null ? next : (node[key] = {})) as Record<string, unknown>
  }
  node[path.at(-1)!] = value
}

/**
 * One problem as a line: the field, what is wrong, and the environment variable behind it —
 * the one that supplied the value, or for a missing field the one that can supply it.
 */
function problem(issue: { path: PropertyKey[]; message: string }, fromEnv: Set<string>): string {
  const field = issue.path.map(String).join(".")
  const name = ENV_OVERRIDES.find(([, path]) => path.join(".") === field)?.[0]
  const hint = name === undefined ? "" : fromEnv.has(name) ? ` (from ${name})` : issue.message.startsWith("required") ? ` (or set ${name})` : ""
  return `  - ${field || "(root)"}: ${issue.message}${hint}`
}

export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = {}): Config {
  const data = structuredClone((raw ?? {}) as Record<string, unknown>)
  const fromEnv = new Set<string>()
  for (const [name, path] of ENV_OVERRIDES) {
    const value = env[name]
    if (value === undefined || value === "") continue
    setPath(data, path, path.at(-1) === "port" ? Number(value) : value)
    fromEnv.add(name)
  }
  const result = configSchema.safeParse(data)
  if (!result.success) {
    const problems = result.error.issues.map((i) => problem(i, fromEnv)).join("\n")
    throw new ConfigError(`The configuration is not valid:\n${problems}`)
  }
  return result.data
}

/** Reads the config file if it exists (a missing file means all defaults). */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): { config: Config; file: string | undefined } {
  const file = path ?? env.SWITCHBOARD_CONFIG ?? (existsSync("config.json") ? "config.json" : undefined)
  if (!file) return { config: parseConfig({}, env), file: undefined }
  const full = resolve(file)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(full, "utf8"))
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "the file does not exist" : (err as Error).message
    throw new ConfigError(`Cannot read the configuration ${full}: ${reason}. Copy config.example.json to config.json and edit it.`)
  }
  return { config: parseConfig(raw, env), file: full }
}
