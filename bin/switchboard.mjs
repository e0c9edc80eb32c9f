#!/usr/bin/env node
// Entry point. The sources are TypeScript run by Node's type stripping: on by default from
// Node 22.18/23.6; on older 22.x we re-run ourselves with the flag that enables it.
import { spawn } from "node:child_process"

if (!process.features?.typescript) {
  const child = spawn(process.execPath, ["--experimental-strip-types", "--no-warnings=ExperimentalWarning", ...process.argv.slice(1)], { stdio: "inherit" })
  child.on("exit", (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)))
} else {
  const { main } = await import("../src/app/cli.ts")
  const code = await main(process.argv.slice(2))
  if (code >= 0) process.exit(code)
}
