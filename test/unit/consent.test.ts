// Consent rules as OpenCode evaluates them: wildcards, last match wins, what subagents inherit;
// the rules a session gets (base, relay, project, and subagent denials computed from the
// runtime's real agent list shape); and when an "Always" grant covers a request.
import { describe, expect, it } from "vitest"
import { covers } from "../../src/core/consent/grants.ts"
import { configuredRules, sessionRules, unsafeSubagents, type AgentRules } from "../../src/core/consent/policy.ts"
import { evaluate, inheritedBySubagent, rulesFromConfig, wildcardMatch } from "../../src/runtime/permission-rules.ts"

describe("OpenCode's wildcards", () => {
  it.each([
    ["git status", "git status", true],
    ["git status", "git *", true],
    ["git", "git *", true], // a trailing " *" also matches the bare word
    ["gitk", "git *", false],
    ["rm -rf /", "rm *", true],
    ["src/a.ts", "src/*.ts", true],
    ["src\\a.ts", "src/*.ts", true], // backslashes read as slashes
    ["a.b", "a?b", true],
    ["a(b)", "a(b)", true], // regex characters are literal
    ["line1\nline2", "line1*", true], // `*` spans newlines
    ["echo hi", "echo", false],
  ])("%j matches %j: %s", (text, pattern, expected) => {
    expect(wildcardMatch(text, pattern)).toBe(expected)
  })
})

describe("evaluation", () => {
  const rules = rulesFromConfig({ bash: { "*": "ask", "git *": "allow", "git push *": "deny" }, edit: "ask" })
  it("the last matching rule wins; no match means ask", () => {
    expect(evaluate("bash", "ls", rules).action).toBe("ask")
    expect(evaluate("bash", "git status", rules).action).toBe("allow")
    expect(evaluate("bash", "git push --force", rules).action).toBe("deny")
    expect(evaluate("webfetch", "https://x", rules).action).toBe("ask")
  })
  it("session rules after agent rules decide (what the relay relies on)", () => {
    const agent = rulesFromConfig({ "*": "allow" })
    expect(evaluate("bash", "rm -rf /", agent).action).toBe("allow")
    expect(evaluate("bash", "rm -rf /", agent, rules).action).toBe("ask")
  })
  it("a subagent inherits only denials and external_directory rules", () => {
    const parent = [...rules, { permission: "external_directory", pattern: "/tmp/*", action: "allow" as const }]
    expect(inheritedBySubagent(parent)).toEqual([
      { permission: "bash", pattern: "git push *", action: "deny" },
      { permission: "external_directory", pattern: "/tmp/*", action: "allow" },
    ])
  })
})

/** The shape `GET /agent` returns for OpenCode 1.18's defaults. */
const DEFAULTS = rulesFromConfig({ "*": "allow", doom_loop: "ask", external_directory: "ask" })
const agent = (name: string, mode: AgentRules["mode"], extra: AgentRules["permission"] = []): AgentRules => ({ name, mode, permission: [...DEFAULTS, ...extra] })

describe("the rules a session carries", () => {
  const settings = { permissions: { bash: { "git status": "allow" as const } }, projects: { "/srv/api/": { bash: { "npm test": "allow" as const } } } }

  it("base, relay and project rules, in that order", () => {
    expect(configuredRules(settings, "/srv/api").map((r) => `${r.permission} ${r.pattern} ${r.action}`)).toEqual([
      "bash * ask",
      "edit * ask",
      "external_directory * ask",
      "doom_loop * ask",
      "bash git status allow",
      "bash npm test allow",
    ])
    expect(configuredRules(settings, "/elsewhere")).toHaveLength(5)
  })

  it("a subagent whose own rules allow what we ask about is switched off; one that asks stays", () => {
    const rules = configuredRules(settings, "/elsewhere")
    const careful = agent("careful", "subagent", rulesFromConfig({ bash: "ask", edit: "ask" }))
    const narrow = agent("narrow", "subagent", rulesFromConfig({ bash: { "*": "ask", "git status": "allow" }, edit: "ask" }))
    const loose = agent("loose", "subagent", rulesFromConfig({ bash: { "*": "ask", "git *": "allow" }, edit: "ask" }))
    const agents = [agent("build", "primary"), agent("general", "subagent"), careful, narrow, loose]
    expect(unsafeSubagents(rules, agents)).toEqual([
      { agent: "general", permission: "bash", pattern: "*" },
      // "git *" allows more than the relay does ("git status" only).
      { agent: "loose", permission: "bash", pattern: "git *" },
    ])
    const { rules: out } = sessionRules(settings, "/elsewhere", agents)
    expect(out.slice(-2)).toEqual([
      { permission: "task", pattern: "general", action: "deny" },
      { permission: "task", pattern: "loose", action: "deny" },
    ])
  })

  it("when every subagent is unsafe the task tool goes; when the agents are unknown, too", () => {
    const all = sessionRules(settings, "/x", [agent("build", "primary"), agent("general", "subagent"), agent("explore", "subagent")])
    expect(all.rules.at(-1)).toEqual({ permission: "task", pattern: "*", action: "deny" })
    expect(sessionRules(settings, "/x", undefined).rules.at(-1)).toEqual({ permission: "task", pattern: "*", action: "deny" })
  })

  it("with the relay's rules at agent level (the embedded runtime) subagents stay usable", () => {
    const embedded = rulesFromConfig({ bash: "ask", edit: "ask" })
    const agents = [agent("build", "primary", embedded), agent("general", "subagent", embedded)]
    expect(sessionRules(settings, "/x", agents).disabled).toEqual([])
  })
})

describe("Always grants", () => {
  const grant = { permission: "bash", patterns: ["echo *"] }
  it.each([
    [{ permission: "bash", patterns: ["echo hi"] }, true],
    [{ permission: "bash", patterns: ["echo hi", "echo there"] }, true],
    [{ permission: "bash", patterns: ["echo hi", "rm -rf /"] }, false],
    [{ permission: "edit", patterns: ["echo hi"] }, false],
    [{ permission: "bash", patterns: [] }, false],
  ])("%j covered: %s", (request, expected) => {
    expect(covers(grant, request)).toBe(expected)
  })
})
