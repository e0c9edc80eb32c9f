// Where the relay's OpenCode comes from: the configured server (attach, optional basic auth),
// or an embedded `opencode serve` from the opencode-ai dependency, run with the user's own
// OpenCode configuration in the project directory, and stopped by PID on shutdown. The
// embedded server gets a fresh random password, an allow-listed environment (never the
// relay's tokens or secrets), and the relay's permission rules at agent level, so subagents
// ask too (docs/consent.md).
import { randomBytes } from "node:crypto"
import { BASE_PERMISSIONS } from "../core/consent/policy.ts"
import { childEnv } from "../runtime/child-env.ts"
import { configContent } from "../runtime/embedded-config.ts"
import { spawnOpencodeServer, type SpawnedServer } from "../runtime/embedded-server.ts"
import type { RuntimeConnection } from "../runtime/client.ts"
import type { Logger } from "../log/logger.ts"
import type { Config } from "./config.ts"
import { registerSecret } from "../log/logger.ts"

export interface RuntimeHandle {
  connection: RuntimeConnection
  /** Set when we spawned the server ourselves. */
  embedded: SpawnedServer | undefined
  directory: string
  stop(): Promise<void>
}

/** The agent-level rules the embedded runtime starts with (OPENCODE_PERMISSION, merged last into its config). */
export function embeddedPermission(config: Config): Record<string, unknown> {
  return { ...BASE_PERMISSIONS, ...config.permissions }
}

/**
 * With a plugin configured, OpenCode waits for its config directory's package install before it
 * boots a project; npm's default retries make that about 70 s on a machine without registry
 * access. Bounded retries (unless the operator chose their own) keep it to seconds.
 */
export function boundedNpmRetries(source: NodeJS.ProcessEnv): Record<string, string> {
  const has = (name: string) => source[name] !== undefined || source[name.toUpperCase()] !== undefined
  const out: Record<string, string> = {}
  if (!has("npm_config_fetch_retries")) out.npm_config_fetch_retries = "1"
  if (!has("npm_config_fetch_retry_maxtimeout")) out.npm_config_fetch_retry_maxtimeout = "3000"
  if (!has("npm_config_fetch_timeout")) out.npm_config_fetch_timeout = "15000"
  return out
}

export async function openRuntime(config: Config, log: Logger, source: NodeJS.ProcessEnv = process.env): Promise<RuntimeHandle> {
  const directory = config.runtime.directory ?? process.cwd()
  if (config.runtime.url) {
    const connection: RuntimeConnection = {
      url: config.runtime.url,
      callTimeoutMs: config.runtime.callTimeoutSeconds * 1000,
      ...(config.runtime.username ? { username: config.runtime.username } : {}),
      ...(config.runtime.password ? { password: config.runtime.password } : {}),
    }
    return { connection, embedded: undefined, directory, stop: async () => {} }
  }
  log.info({ directory }, "no runtime.url configured: starting an embedded OpenCode server")
  const password = randomBytes(24).toString("base64url")
  registerSecret(password)
  const env = childEnv(source, {
    pass: config.runtime.passEnv,
    set: {
      ...boundedNpmRetries(source),
      OPENCODE_SERVER_PASSWORD: password,
      OPENCODE_SERVER_USERNAME: "opencode",
      OPENCODE_PERMISSION: JSON.stringify(embeddedPermission(config)),
      OPENCODE_CONFIG_CONTENT: configContent(source.OPENCODE_CONFIG_CONTENT),
    },
  })
  const server = await spawnOpencodeServer({ cwd: directory, env })
  log.info({ url: server.url, pid: server.pid }, "embedded OpenCode server is up (password-protected, allow-listed environment)")
  return {
    connection: { url: server.url, username: "opencode", password, callTimeoutMs: config.runtime.callTimeoutSeconds * 1000 },
    embedded: server,
    directory,
    stop: () => server.stop(),
  }
}
