// The permission rules every session the relay creates carries, so consent never depends on
// the runtime's own config (docs/consent.md). Base: bash, edit (covers write and patches),
// external_directory and doom_loop ask; the relay config and per-project config add rules on
// top (last match wins, so a project can relax `git status` to allow, visibly). OpenCode hands
// a subagent only its parent's denials, so a subagent whose own rules would run something we
// ask about without asking is switched off for our sessions with a `task` denial. Pure.
import {
  evaluate,
  inheritedBySubagent,
  rulesFromConfig,
  type PermissionConfig,
  type PermissionRule,
} from "../../runtime/permission-rules.ts"

export const BASE_PERMISSIONS: PermissionConfig = {
  bash: "ask",
  edit: "ask",
  external_directory: "ask",
  doom_loop: "ask",
}

export interface ConsentSettings {
  /** Relay-wide rules on top of the base. */
  permissions: PermissionConfig
  /** Per project directory, on top of the relay-wide rules. */
  projects: Record<string, PermissionConfig>
}

/** What the runtime says about an agent (`GET /agent`). */
export interface AgentRules {
  name: string
  mode: "subagent" | "primary" | "all"
  permission: PermissionRule[]
}

export interface DisabledSubagent {
  agent: string
  /** The permission it would use without asking, and the rule pattern that allows it. */
  permission: string
  pattern: string
}

export interface SessionRules {
  rules: PermissionRule[]
  disabled: DisabledSubagent[]
}

const norm = (dir: string) => dir.replace(/\/+$/, "")

/** Base, relay-wide and project rules for sessions in `directory`, in evaluation order. */
export function configuredRules(settings: ConsentSettings, directory: string): PermissionRule[] {
  const project = Object.entries(settings.projects).find(([dir]) => norm(dir) === norm(directory))?.[1]
  return [...rulesFromConfig(BASE_PERMISSIONS), ...rulesFromConfig(settings.permissions), ...rulesFromConfig(project ?? {})]
}

/** Permissions our rules ask about somewhere: the ones a subagent must not allow on its own. */
export function consentPermissions(rules: PermissionRule[]): string[] {
  return [...new Set(rules.filter((r) => r.action === "ask").map((r) => r.permission))]
}

/**
 * Subagents that would do, without asking, something our session rules ask about. A rule the
 * subagent allows is tested as a sample against our rules: if ours would not allow that very
 * pattern, the subagent is more permissive than the thread's consent and is switched off.
 */
export function unsafeSubagents(rules: PermissionRule[], agents: AgentRules[]): DisabledSubagent[] {
  const asked = consentPermissions(rules)
  const inherited = inheritedBySubagent(rules)
  const out: DisabledSubagent[] = []
  for (const agent of agents) {
    if (agent.mode === "primary") continue
    const child = [...agent.permission, ...inherited]
    for (const permission of asked) {
      const loose = child.find((r, i) => {
        if (r.action !== "allow") return false
        if (!matchesPermission(permission, r.permission)) return false
        // Still in force for this permission (no later rule overrides the sample)?
        if (evaluate(permission, r.pattern, child.slice(i)).action !== "allow") return false
        return evaluate(permission, r.pattern, rules).action !== "allow"
      })
      if (loose) {
        out.push({ agent: agent.name, permission, pattern: loose.pattern })
        break
      }
    }
  }
  return out
}

function matchesPermission(permission: string, rulePermission: string): boolean {
  return evaluate(permission, "*", [{ permission: rulePermission, pattern: "*", action: "allow" }]).action === "allow"
}

/** The rules a new session in `directory` gets, given the runtime's agents (undefined: unknown). */
export function sessionRules(settings: ConsentSettings, directory: string, agents: AgentRules[] | undefined): SessionRules {
  const rules = configuredRules(settings, directory)
  if (agents === undefined) {
    // Without the agents we cannot tell which subagents are safe: none may run.
    return { rules: [...rules, { permission: "task", pattern: "*", action: "deny" }], disabled: [{ agent: "*", permission: "task", pattern: "*" }] }
  }
  const disabled = unsafeSubagents(rules, agents)
  const subagents = agents.filter((a) => a.mode !== "primary")
  const all = subagents.length > 0 && disabled.length === subagents.length
  const denials: PermissionRule[] = all
    ? [{ permission: "task", pattern: "*", action: "deny" }]
    : disabled.map((d) => ({ permission: "task", pattern: d.agent, action: "deny" as const }))
  return { rules: [...rules, ...denials], disabled }
}

/** One line per rule, for doctor and status: `bash git status → allow`. */
export function describeRules(rules: PermissionRule[]): string[] {
  return rules.map((r) => `${r.permission}${r.pattern === "*" ? "" : ` ${r.pattern}`} → ${r.action}`)
}
