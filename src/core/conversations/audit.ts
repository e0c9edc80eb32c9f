// One audit line for something a person did in a thread.
import type { ChatEvent } from "../../chat/types.ts"
import type { ConversationContext } from "./context.ts"
import type { Surface } from "./host.ts"

export function auditEvent(
  ctx: Pick<ConversationContext, "repos" | "now">,
  surface: Surface,
  event: Pick<ChatEvent, "thread" | "user">,
  action: string,
  allowed: boolean,
  detail?: string,
): void {
  ctx.repos.audit.record({
    at: ctx.now(),
    platform: surface.platform,
    thread: event.thread,
    userID: event.user.id,
    ...(event.user.name ? { userName: event.user.name } : {}),
    action,
    allowed,
    ...(detail ? { detail } : {}),
  })
}
