// OpenCode's permission vocabulary and its evaluation, reproduced exactly so the relay can
// predict what a session it creates will do (docs/consent.md): rules are
// `{permission, pattern, action}`, the LAST matching rule wins, no match means "ask", and a
// tool call is checked against merge(agent rules, session rules). Patterns are OpenCode's
// wildcards: `*` any run, `?` one character, anchored, and a trailing " *" also matches the
// bare word (`git *` matches `git`). Pure functions.

export type PermissionAction = "allow" | "ask" | "deny"

export interface PermissionRule {
  permission: string
  pattern: string
  action: PermissionAction
}

/** A config value: one action for the whole permission, or pattern → action in order. */
export type PermissionSetting = PermissionAction | Record<string, PermissionAction>

export type PermissionConfig = Record<string, PermissionSetting>

/** OpenCode's `Wildcard.match(text, pattern)`. */
export function wildcardMatch(text: string, pattern: string): boolean {
  const t = text.replaceAll("\\", "/")
  let source = pattern
    .replaceAll("\\", "/")
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".")
  if (source.endsWith(" .*")) source = `${source.slice(0, -3)}( .*)?`
  return new RegExp(`^${source}$`, "s").test(t)
}

/** The rule deciding `permission` for `pattern` (last match wins); "ask" when none matches. */
export function evaluate(permission: string, pattern: string, ...rulesets: PermissionRule[][]): PermissionRule {
  const rules = rulesets.flat()
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!
    if (wildcardMatch(permission, r.permission) && wildcardMatch(pattern, r.pattern)) return r
  }
  return { permission, pattern: "*", action: "ask" }
}

/** Config object → rules, in the order written (OpenCode's `fromConfig`). */
export function rulesFromConfig(config: PermissionConfig): PermissionRule[] {
  const out: PermissionRule[] = []
  for (const [permission, setting] of Object.entries(config)) {
    if (typeof setting === "string") out.push({ permission, pattern: "*", action: setting })
    else for (const [pattern, action] of Object.entries(setting)) out.push({ permission, pattern, action })
  }
  return out
}

/**
 * What a subagent session inherits from its parent session's rules (OpenCode's task tool):
 * only `external_directory` rules and denials. "ask" rules are NOT inherited.
 */
export function inheritedBySubagent(parent: PermissionRule[]): PermissionRule[] {
  return parent.filter((r) => r.permission === "external_directory" || r.action === "deny")
}
