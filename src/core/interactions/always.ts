// "Always" as the relay keeps it: a grant for one thread (approvers) or one project
// (administrators), stored in SQLite, never sent to the runtime (which would apply it to every
// session of the project until it restarts). A request a grant covers is answered "once" by
// the relay, audited with the grant it rode on.
import type { ChatUser } from "../../chat/types.ts"
import type { PermissionRequest } from "../../runtime/events.ts"
import type { AuditRepo } from "../../storage/audit.ts"
import type { Grant, GrantRepo, GrantScope } from "../../storage/grants.ts"
import { coveringGrant, covers } from "../consent/grants.ts"
import type { ThreadHost } from "../conversations/host.ts"
import { alwaysPatterns } from "./message.ts"

export interface AlwaysDeps {
  grants: GrantRepo
  audit: AuditRepo
  now: () => number
}

/** The grant in force for this thread that covers the request, if any. */
export function grantFor(deps: AlwaysDeps, host: ThreadHost, request: PermissionRequest): Grant | undefined {
  return coveringGrant(deps.grants.active(host.thread, host.directory), request)
}

export function recordAuto(deps: AlwaysDeps, host: ThreadHost, request: PermissionRequest, grant: Grant): void {
  deps.audit.record({
    at: deps.now(),
    platform: host.surface.platform,
    thread: host.thread,
    action: "permission.auto",
    allowed: true,
    detail: `${request.id} ${request.permission} ${JSON.stringify(request.patterns)} by grant #${grant.id} (${grant.scope}, ${grant.grantedBy})`,
  })
}

export function addGrant(deps: AlwaysDeps, host: ThreadHost, request: PermissionRequest, scope: GrantScope, user: ChatUser, who: string): Grant {
  const grant = deps.grants.add({
    scope,
    thread: scope === "thread" ? host.thread : undefined,
    directory: host.directory,
    permission: request.permission,
    patterns: alwaysPatterns(request),
    grantedBy: who,
    grantedByID: user.id,
    grantedAt: deps.now(),
    requestID: request.id,
  })
  deps.audit.record({
    at: deps.now(),
    platform: host.surface.platform,
    thread: host.thread,
    userID: user.id,
    ...(user.name ? { userName: user.name } : {}),
    action: "grant.add",
    allowed: true,
    detail: `#${grant.id} ${scope} ${grant.permission} ${JSON.stringify(grant.patterns)} in ${grant.directory}`,
  })
  return grant
}

/** Whether `grant` applies to a waiting request of `thread` (in `directory`). */
export function appliesTo(grant: Grant, thread: string, directory: string, request: PermissionRequest): boolean {
  if (grant.directory !== directory) return false
  if (grant.scope === "thread" && grant.thread !== thread) return false
  return covers(grant, request)
}
