// Where the relay's OpenCode comes from: the configured server (attach, optional basic auth),
// or an embedded `opencode serve` from the opencode-ai dependency, run with the user's own
// OpenCode configuration in the project directory, and stopped by PID on shutdown. The
// embedded server gets a fresh random password, an allow-listed environment (never the
// relay's tokens or secrets), and the relay's permission rules at agent level, so subagents
// ask too (docs/consent.md).
import { randomBytes } from "node:crypto"
import { BASE_PERMISSIONS } from "../core/consent/policy.ts"
import { childEnv } from "../runtime/child-env.ts"
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

export async function openRuntime(config: Config, log: Logger, source: NodeJS.ProcessEnv = process.env): Promise<RuntimeHandle> {
  const directory = config.runtime.directory ?? process.cwd()
  if (config.runtime.url) {
    const connection: RuntimeConnection = {
      url: config.runtime.url,
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
    set: { OPENCODE_SERVER_PASSWORD: password, OPENCODE_SERVER_USERNAME: "opencode", OPENCODE_PERMISSION: JSON.stringify(embeddedPermission(config)) },
  })
  const server = await spawnOpencodeServer({ cwd: directory, env })
  log.info({ url: server.url, pid: server.pid }, "embedded OpenCode server is up (password-protected, allow-listed environment)")
  return {
    connection: { url: server.url, username: "opencode", password },
    embedded: server,
    directory,
    stop: () => server.stop(),
  }
}
