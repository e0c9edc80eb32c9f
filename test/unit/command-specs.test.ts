// Native command specs from the registry, and thread names from a request's first line.
import { describe, expect, it } from "vitest"
import { COMMANDS } from "../../src/commands/registry.ts"
import { commandSpecs } from "../../src/commands/specs.ts"
import { threadName } from "../../src/core/conversations/thread-name.ts"

describe("command specs", () => {
  it("mirror every prefix command with its aliases, help and argument", () => {
    const specs = commandSpecs(COMMANDS)
    expect(specs.map((s) => s.name)).toEqual(COMMANDS.map((c) => c.name))
    const byName = new Map(specs.map((s) => [s.name, s]))
    expect(byName.get("new")).toMatchObject({ aliases: ["reset"], argument: { name: "first_message", required: false } })
    expect(byName.get("grants")?.argument).toMatchObject({ name: "revoke_n", required: false })
    expect(byName.get("abort")?.argument).toBeUndefined()
    for (const s of specs) {
      expect(s.summary.length).toBeGreaterThan(0)
      if (s.argument) expect(s.argument.name).toMatch(/^[a-z0-9_]{1,32}$/)
    }
  })
})

describe("thread names", () => {
  it("take the first line, plain, cut at a word", () => {
    expect(threadName("  \n**Fix** the `login` bug\nmore detail")).toBe("Fix the login bug")
    expect(threadName("")).toBe("OpenCode session")
    const long = threadName("word ".repeat(40))
    expect(long.length).toBeLessThanOrEqual(80)
    expect(long.endsWith("…")).toBe(true)
    expect(threadName("x".repeat(200))).toHaveLength(80)
  })
})
