// Finds the `opencode` executable shipped by the `opencode-ai` dependency. We run the
// platform package's binary directly, so opencode-ai's postinstall script (which only copies
// that binary) never needs to run.
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { arch, platform } from "node:os"

const require = createRequire(import.meta.url)

function hasAvx2(): boolean {
  try {
    return /(^|\s)avx2(\s|$)/i.test(readFileSync("/proc/cpuinfo", "utf8"))
  } catch {
    return true // not Linux or unreadable: the default build is the common case
  }
}

function isMusl(): boolean {
  if (platform() !== "linux") return false
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
  return !report?.header?.glibcVersionRuntime
}

/** Package names to try, best match first. */
export function candidatePackages(): string[] {
  const os = platform() === "win32" ? "windows" : platform()
  const base = `opencode-${os}-${arch()}`
  const musl = isMusl() ? "-musl" : ""
  const names = arch() === "x64" && !hasAvx2()
    ? [`${base}-baseline${musl}`, `${base}${musl}`]
    : [`${base}${musl}`, `${base}-baseline${musl}`]
  return [...new Set(names)]
}

export class OpencodeBinaryNotFoundError extends Error {
  readonly code = "opencode_binary_not_found"
  constructor(tried: string[]) {
    super(
      `No OpenCode binary found (tried ${tried.join(", ")}). Run \`npm ci\` so the opencode-ai ` +
        `platform package is installed, or set runtime.url to attach to a running server.`,
    )
  }
}

/** Absolute path of the opencode executable for this machine. */
export function findOpencodeBinary(): string {
  const exe = platform() === "win32" ? "opencode.exe" : "opencode"
  const tried: string[] = []
  for (const name of candidatePackages()) {
    tried.push(name)
    try {
      const pkg = require.resolve(`${name}/package.json`)
      const bin = join(dirname(pkg), "bin", exe)
      if (existsSync(bin)) return bin
    } catch {
      // not installed for this platform; try the next candidate
    }
  }
  throw new OpencodeBinaryNotFoundError(tried)
}
