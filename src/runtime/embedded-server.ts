// Spawns `opencode serve` on a loopback port and tracks it by PID. The relay uses this when
// no runtime URL is configured (the embedded default); the test harness uses it with a
// hermetic environment. `--port 0` is not random in 1.18 (it binds 4096), so we pick a free
// port ourselves and retry if another process wins the race.
import { spawn, type ChildProcess } from "node:child_process"
import { createServer } from "node:net"
import { findOpencodeBinary } from "./opencode-binary.ts"

export interface SpawnOptions {
  /** Working directory; also the default project directory of the server. */
  cwd: string
  env?: NodeJS.ProcessEnv
  /** Fixed port (e.g. to restart on the same address). Default: a free one. */
  port?: number
  hostname?: string
  binary?: string
  startTimeoutMs?: number
}

export interface SpawnedServer {
  readonly url: string
  readonly port: number
  readonly pid: number
  /** Recent output of the process (bounded), for error messages. */
  output(): string
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process is gone. */
  stop(opts?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>
}

export class EmbeddedServerError extends Error {
  readonly code = "embedded_server_failed"
}

const LISTENING = /(?:opencode|kilo) server listening on (http:\/\/[^\s]+)/
const OUTPUT_CAP = 64 * 1024

export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, host, () => {
      const addr = srv.address()
      const port = typeof addr === "object" && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

function launch(opts: SpawnOptions, port: number): Promise<SpawnedServer> {
  const bin = opts.binary ?? findOpencodeBinary()
  const hostname = opts.hostname ?? "127.0.0.1"
  const child: ChildProcess = spawn(bin, ["serve", "--port", String(port), "--hostname", hostname], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  })
  let log = ""
  const append = (buf: Buffer) => {
    log += buf.toString()
    if (log.length > OUTPUT_CAP) log = log.slice(-OUTPUT_CAP)
  }
  child.stdout!.on("data", append)
  child.stderr!.on("data", append)
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const alive = () => child.exitCode === null && child.signalCode === null

  return new Promise((resolve, reject) => {
    const timeout = opts.startTimeoutMs ?? 30_000
    const timer = setTimeout(() => {
      if (alive()) process.kill(child.pid!, "SIGKILL")
      reject(new EmbeddedServerError(`opencode did not start listening within ${timeout} ms. Output:\n${log}`))
    }, timeout)
    const onData = () => {
      const m = LISTENING.exec(log)
      if (!m) return
      clearTimeout(timer)
      child.stdout!.off("data", onData)
      child.stderr!.off("data", onData)
      const url = m[1]!.replace(/\/$/, "")
      resolve({
        url,
        port: Number(new URL(url).port),
        pid: child.pid!,
        output: () => log,
        exited,
        async stop({ signal = "SIGTERM", graceMs = 5_000 } = {}) {
          if (!alive()) return
          process.kill(child.pid!, signal)
          const kill = setTimeout(() => alive() && process.kill(child.pid!, "SIGKILL"), graceMs)
          await exited
          clearTimeout(kill)
        },
      })
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.once("error", (err) => {
      clearTimeout(timer)
      reject(new EmbeddedServerError(`could not run ${bin}: ${err.message}`))
    })
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new EmbeddedServerError(`opencode exited with code ${code} before listening. Output:\n${log}`))
    })
  })
}

export async function spawnOpencodeServer(opts: SpawnOptions): Promise<SpawnedServer> {
  if (opts.port !== undefined) return launch(opts, opts.port)
  let last: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(opts, await freePort(opts.hostname))
    } catch (err) {
      last = err
      if (!/EADDRINUSE|address already in use|Failed to start server/i.test(String(err))) throw err
    }
  }
  throw last
}
