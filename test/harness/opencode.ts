// Starts the real `opencode serve` (from the opencode-ai dependency) for tests: loopback only,
// an isolated HOME/XDG tree, a generated opencode.json whose only provider is the scripted
// model server, and no way to reach the internet. Stopped by PID, never by name.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { spawnOpencodeServer } from "../../src/runtime/embedded-server.ts"

export interface OpencodeOptions {
  modelUrl: string
  /**
   * `permission` of opencode.json. Default: none — OpenCode's own defaults, which allow bash and
   * edit. Approvals must come from the relay's session rules, as they do for real users.
   */
  permission?: unknown
  /** Enables basic auth on the server. */
  password?: string
  /** Reuse an existing root (restart with the same data). */
  root?: string
  port?: number
}

export interface OpencodeServer {
  readonly url: string
  readonly port: number
  readonly pid: number
  /** Root of the isolated tree (HOME, XDG dirs, project). */
  readonly root: string
  /** A git-initialised project directory inside the root. */
  readonly projectDir: string
  readonly password: string | undefined
  /** Everything the server printed, for failure messages. */
  output(): string
  /** Stops the process (SIGTERM, SIGKILL after 5 s). Keeps the data unless `remove`. */
  stop(opts?: { remove?: boolean; signal?: NodeJS.Signals }): Promise<void>
}

export function opencodeConfig(modelUrl: string, permission?: unknown) {
  return {
    $schema: "https://opencode.ai/config.json",
    model: "fake/fake-model",
    small_model: "fake/fake-model",
    enabled_providers: ["fake", "offline"],
    autoupdate: false,
    share: "disabled",
    provider: {
      // A provider whose endpoint is a closed port: a model that cannot be reached.
      offline: {
        npm: "@ai-sdk/openai-compatible",
        name: "Offline",
        options: { baseURL: "http://127.0.0.1:9/v1", apiKey: "sk-offline" },
        models: { "offline-model": { name: "Offline Model", tool_call: true, limit: { context: 128000, output: 4096 } } },
      },
      fake: {
        npm: "@ai-sdk/openai-compatible",
        name: "Fake",
        options: { baseURL: modelUrl, apiKey: "sk-fake" },
        models: {
          "fake-model": {
            name: "Fake Model",
            tool_call: true,
            reasoning: true,
            attachment: true,
            modalities: { input: ["text", "image"], output: ["text"] },
            limit: { context: 128000, output: 4096 },
            cost: { input: 3, output: 15 },
          },
        },
      },
    },
    ...(permission !== undefined && permission !== null ? { permission } : {}),
  }
}

/** Environment that keeps opencode hermetic and offline. */
export function hermeticEnv(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(root, "home"),
    XDG_CONFIG_HOME: join(root, "config"),
    XDG_DATA_HOME: join(root, "data"),
    XDG_CACHE_HOME: join(root, "cache"),
    XDG_STATE_HOME: join(root, "state"),
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    OPENCODE_DISABLE_SHARE: "1",
    OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
    OPENCODE_DISABLE_CLAUDE_CODE: "1",
    OPENCODE_DISABLE_EXTERNAL_SKILLS: "1",
    OPENCODE_ENABLE_QUESTION_TOOL: "1",
    // Background plugin installs hit this closed port and fail fast instead of going online.
    npm_config_registry: "http://127.0.0.1:9/",
    npm_config_fetch_retries: "0",
    GIT_AUTHOR_NAME: "test",
    GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "test",
    GIT_COMMITTER_EMAIL: "test@example.invalid",
    ...extra,
  }
  return env
}

/** Creates (or refreshes) an isolated tree: HOME, XDG dirs, opencode.json, a project dir. */
export function prepareRoot(opts: Pick<OpencodeOptions, "modelUrl" | "permission" | "root">): { root: string; projectDir: string } {
  const root = opts.root ?? mkdtempSync(join(tmpdir(), "sb-opencode-"))
  const projectDir = join(root, "project")
  for (const d of ["home", "config/opencode", "data", "cache", "state", "project"]) mkdirSync(join(root, d), { recursive: true })
  writeFileSync(join(root, "config/opencode/opencode.json"), JSON.stringify(opencodeConfig(opts.modelUrl, opts.permission), null, 2))
  writeFileSync(join(projectDir, "README.md"), "# test project\n")
  return { root, projectDir }
}

export async function startOpencode(opts: OpencodeOptions): Promise<OpencodeServer> {
  const { root, projectDir } = prepareRoot(opts)
  const env = hermeticEnv(root, opts.password ? { OPENCODE_SERVER_PASSWORD: opts.password } : {})
  const server = await spawnOpencodeServer({ cwd: projectDir, env, ...(opts.port ? { port: opts.port } : {}) })
  await waitHealthy(server.url, opts.password)
  return {
    url: server.url,
    port: server.port,
    pid: server.pid,
    root,
    projectDir,
    password: opts.password,
    output: server.output,
    async stop({ remove = false, signal = "SIGTERM" } = {}) {
      await server.stop({ signal })
      if (remove) rmSync(root, { recursive: true, force: true })
    },
  }
}

async function waitHealthy(url: string, password?: string) {
  const headers: Record<string, string> = password
    ? { authorization: `Basic ${Buffer.from(`opencode:${password}`).toString("base64")}` }
    : {}
  const deadline = Date.now() + 30_000
  let last = ""
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/global/health`, { headers })
      if (res.ok) return
      last = `HTTP ${res.status}`
    } catch (err) {
      last = String(err)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`opencode at ${url} never became healthy: ${last}`)
}
