// The terminal chat driven as a person would: under a pseudo-terminal (util-linux `script`),
// with the embedded OpenCode server spawned from the dependency (its configuration coming
// from the hermetic HOME, as a user's own would): type a prompt, watch the answer stream in,
// press a key to allow a command, read `/status` and `/help` rendered for a terminal, quit.
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bash, text } from "../harness/model-server/index.ts"
import { startModelServer, type ModelServer } from "../harness/model-server/index.ts"
import { hermeticEnv, prepareRoot } from "../harness/opencode.ts"

const ROOT = resolve(import.meta.dirname, "..", "..")
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "")

describe("terminal chat", () => {
  let model: ModelServer
  let child: ChildProcess
  let output = ""
  const waiters: Array<{ test: (s: string) => boolean; resolve: () => void }> = []
  let dataDir: string

  const seen = (what: string | RegExp, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const test = (s: string) => (typeof what === "string" ? s.includes(what) : what.test(s))
      if (test(strip(output))) return resolve()
      const timer = setTimeout(() => reject(new Error(`not seen within ${timeoutMs} ms: ${what}\n--- screen ---\n${strip(output).slice(-3000)}`)), timeoutMs)
      waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) })
    })

  beforeAll(async () => {
    model = await startModelServer()
    const { root, projectDir } = prepareRoot({ modelUrl: model.url })
    dataDir = mkdtempSync(join(tmpdir(), "sb-chat-"))
    const config = join(dataDir, "config.json")
    writeFileSync(config, JSON.stringify({ runtime: { directory: projectDir }, storage: { path: join(dataDir, "db.sqlite") }, log: { level: "debug" } }))
    child = spawn("script", ["-qfec", `node bin/switchboard.mjs chat --config ${config}`, "/dev/null"], {
      cwd: ROOT,
      env: { ...hermeticEnv(root), COLUMNS: "120", LINES: "40", TERM: "xterm-256color" },
      stdio: ["pipe", "pipe", "pipe"],
    })
    const onData = (buf: Buffer) => {
      output += buf.toString()
      const screen = strip(output)
      for (const w of [...waiters]) if (w.test(screen)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
  })

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL")
    await model?.close()
  })

  const type = (keys: string) => child.stdin!.write(keys)

  it("prompt, streamed answer, a permission answered with a key press, quit", async () => {
    await seen("Switchboard terminal chat.")
    const answer = "Here is the plan: first read, then fix, then test."
    const m1 = model.script([text(answer, { chunk: 3, delayMs: 15 })])
    type(`${m1} make a plan\r`)
    await seen(answer)
    await seen(/— fake-model · [\d.]+s/)

    const m2 = model.script([bash("echo from-terminal"), text("The command printed from-terminal.")])
    type(`${m2} run it\r`)
    await seen("[1] Allow once")
    expect(strip(output)).toContain("$ echo from-terminal")
    type("1") // a single key press, no Enter
    await seen("Allowed once")
    await seen("The command printed from-terminal.")

    // Command replies are markdown; the terminal shows them rendered (bold on a TTY, code plain).
    type("/status\r")
    await seen(/Session ses_\w+/)
    expect(output).toMatch(/\x1b\[1mSession\x1b\[22m/)
    expect(strip(output)).not.toContain("**Session**")
    expect(strip(output)).not.toMatch(/`ses_/)
    // Help is worded for the terminal: no mentions or buttons, the number keys.
    type("/help\r")
    await seen("press the number of your choice")
    await seen("• /status")
    expect(strip(output)).not.toMatch(/Mention me|click one of its buttons|reactions/)

    const log = readFileSync(join(dataDir, "switchboard-chat.log"), "utf8")
    const pid = Number(/"pid":(\d+),"msg":"embedded OpenCode server is up/.exec(log)?.[1])
    expect(pid).toBeGreaterThan(0)
    type("/quit\r")
    await new Promise<void>((r) => child.once("exit", () => r()))
    // The embedded server was stopped by its PID.
    expect(() => process.kill(pid, 0)).toThrow()
  })
})
