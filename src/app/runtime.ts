// Where the relay's OpenCode comes from: the configured server (attach, optional basic auth),
// or an embedded `opencode serve` from the opencode-ai dependency, run with the user's own
// OpenCode configuration in the project directory, and stopped by PID on shutdown.
import { spawnOpencodeServer, type SpawnedServer } from "../runtime/embedded-server.ts"
import type { RuntimeConnection } from "../runtime/client.ts"
import type { Logger } from "../log/logger.ts"
import type { Config } from "./config.ts"

export interface RuntimeHandle {
  connection: RuntimeConnection
  /** Set when we spawned the server ourselves. */
  embedded: SpawnedServer | undefined
  directory: string
  stop(): Promise<void>
}

export async function openRuntime(config: Config, log: Logger): Promise<RuntimeHandle> {
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
  const env = { ...process.env }
  if (config.runtime.password) env.OPENCODE_SERVER_PASSWORD = config.runtime.password
  const server = await spawnOpencodeServer({ cwd: directory, env })
  log.info({ url: server.url, pid: server.pid }, "embedded OpenCode server is up")
  return {
    connection: { url: server.url, ...(config.runtime.password ? { password: config.runtime.password } : {}) },
    embedded: server,
    directory,
    stop: () => server.stop(),
  }
}
