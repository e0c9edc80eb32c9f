// The registry this project is built against only carries OpenCode's Linux x64 binaries, so a
// fresh `npm install` leaves opencode-ai's other platform packages out of package-lock.json and
// `npm ci` then refuses the lock. This writes their entries as a full registry would (name,
// version, os/cpu/libc, optional) so every platform's `npm ci` accepts the lock; npm skips the
// ones that do not match the machine without downloading them. Run after changing opencode-ai.
import { readFileSync, writeFileSync } from "node:fs"

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"))
const ai = lock.packages["node_modules/opencode-ai"]
if (!ai) throw new Error("opencode-ai is not in package-lock.json; run npm install first")
let added = 0
for (const [name, version] of Object.entries(ai.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`
  if (lock.packages[key]) continue
  const [, os, cpu, variant] = /^opencode-(darwin|linux|windows)-(x64|arm64)(.*)$/.exec(name) ?? []
  if (!os) throw new Error(`unexpected platform package ${name}`)
  lock.packages[key] = {
    version,
    cpu: [cpu],
    optional: true,
    os: [os === "windows" ? "win32" : os],
    ...(variant.includes("musl") ? { libc: ["musl"] } : {}),
  }
  added++
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)))
lock.packages = sorted
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`)
console.log(`package-lock.json: added ${added} platform entr${added === 1 ? "y" : "ies"} for opencode-ai`)
