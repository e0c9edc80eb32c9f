// The folder layout is the architecture: each room may import only the rooms listed here
// (docs/architecture.md keeps the same table). A new import across a wall fails this test.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { describe, expect, it } from "vitest"

const ROOT = resolve(import.meta.dirname, "..", "..")

/** Room → rooms it may import (besides itself). Packages are checked separately. */
const ALLOWED: Record<string, string[]> = {
  "src/timing": [],
  "src/log": [],
  "src/chat": [],
  "src/storage": [],
  "src/runtime": ["src/log"],
  "src/commands": ["src/chat"],
  "src/delivery": ["src/chat", "src/log"],
  "src/core": ["src/runtime", "src/storage", "src/delivery", "src/chat", "src/commands", "src/log"],
  "src/app": ["src/log", "src/chat", "src/runtime", "src/storage", "src/delivery", "src/core", "src/commands", "adapters"],
  adapters: ["src/chat", "src/log"],
}

/** Packages a room may use (node: built-ins are always fine). */
const PACKAGES: Record<string, RegExp> = {
  // zod validates JSON read back from SQLite: a row of the wrong shape stops at the edge.
  "src/storage": /^(better-sqlite3|zod)$/,
  "src/chat": /^lru-cache$/,
  "src/commands": /^$/,
  "src/log": /^pino$/,
  "src/timing": /^$/,
  // zod validates event frames at the edge (event-schema.ts).
  "src/runtime": /^(@opencode-ai\/sdk|zod$|eventsource-parser$)/,
  "src/delivery": /^(bottleneck|@opencode-ai\/sdk)/,
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name)
    return statSync(full).isDirectory() ? files(full) : full.endsWith(".ts") ? [full] : []
  })
}

function roomOf(path: string): string | undefined {
  const rel = relative(ROOT, path)
  if (rel.startsWith("adapters/")) return "adapters"
  const m = /^src\/[^/]+/.exec(rel)
  return m?.[0]
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm

describe("room boundaries", () => {
  const all = [...files(join(ROOT, "src")), ...files(join(ROOT, "adapters"))]
  it("has files to check", () => expect(all.length).toBeGreaterThan(40))

  for (const file of all) {
    const room = roomOf(file)!
    it(relative(ROOT, file), () => {
      const text = readFileSync(file, "utf8")
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3]!
        if (spec.startsWith("node:")) continue
        if (spec.startsWith(".")) {
          const target = roomOf(resolve(dirname(file), spec))
          if (!target) continue
          // src/timing (backoff, deadlines) is a leaf every room may use.
          if (target === "src/timing") continue
          if (target !== room) {
            expect(ALLOWED[room], `${relative(ROOT, file)} imports ${spec}`).toContain(target)
          } else if (room === "adapters") {
            // Adapters may not reach into each other either.
            const own = relative(ROOT, file).split("/")[1]
            const theirs = relative(ROOT, resolve(dirname(file), spec)).split("/")[1]
            expect(theirs, `${relative(ROOT, file)} imports another adapter: ${spec}`).toBe(own)
          }
        } else if (PACKAGES[room]) {
          expect(spec, `${relative(ROOT, file)} uses package ${spec}`).toMatch(PACKAGES[room]!)
        }
      }
    })
  }
})
