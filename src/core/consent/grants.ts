// Whether an "Always" grant covers a permission request: same permission, and every pattern
// of the request matched by one of the grant's patterns (OpenCode's wildcards). A request with
// no patterns is never covered. Pure.
import { wildcardMatch } from "../../runtime/permission-rules.ts"

export interface GrantLike {
  permission: string
  patterns: string[]
}

export function covers(grant: GrantLike, request: { permission: string; patterns: string[] }): boolean {
  if (grant.permission !== request.permission || request.patterns.length === 0) return false
  return request.patterns.every((p) => grant.patterns.some((g) => wildcardMatch(p, g)))
}

export function coveringGrant<G extends GrantLike>(grants: G[], request: { permission: string; patterns: string[] }): G | undefined {
  return grants.find((g) => covers(g, request))
}
