// The access config with its names resolved: the one object every access decision goes
// through (conversations, commands, interactions). Names are resolved at start and refreshed
// now and then, so rules follow ids (rules.ts for the semantics, names.ts for resolution).
import type { ChatEvent, ChatUser } from "../../chat/types.ts"
import type { Logger } from "../../log/logger.ts"
import { NO_NAMES, resolveNames, type NameReport, type NameSource, type ResolvedNames } from "./names.ts"
import { approverWords, check, hasApprovers, isAllowedBot, ownersApprove, type AccessConfig, type AccessContext, type Capability, type Verdict } from "./rules.ts"

export class AccessPolicy {
  readonly config: AccessConfig
  private names: ResolvedNames = NO_NAMES
  private report: NameReport = { resolved: NO_NAMES, unresolved: [] }

  constructor(config: AccessConfig) {
    this.config = config
  }

  /** Resolves the config's names through the adapters (at start; again to follow renames). */
  async resolve(sources: NameSource[], log: Logger): Promise<NameReport> {
    this.report = await resolveNames(this.config, sources, log)
    this.names = this.report.resolved
    return this.report
  }

  get unresolved(): NameReport["unresolved"] {
    return this.report.unresolved
  }

  check(capability: Capability, ctx: AccessContext): Verdict {
    return check(this.config, capability, ctx, this.names)
  }

  /** An administrator here (for commands and settings). */
  isAdmin(ctx: AccessContext): boolean {
    return this.check("admin", ctx).allowed
  }

  isAllowedBot(user: ChatUser, platform: string): boolean {
    return isAllowedBot(this.config, user, platform, this.names)
  }

  ownersApprove(ctx: AccessContext): boolean {
    return ownersApprove(this.config, ctx, this.names)
  }

  hasApprovers(ctx: AccessContext): boolean {
    return hasApprovers(this.config, ctx, this.names)
  }

  /** Whether anyone at all can be an administrator (then project-wide "Always" is offered). */
  get hasAdmins(): boolean {
    const a = this.config.admin
    return Boolean(a && (a.everyone || (a.users?.length ?? 0) > 0 || (a.groups?.length ?? 0) > 0))
  }

  approverWords(ctx: AccessContext, owner: string | undefined): string {
    return approverWords(this.config, ctx, owner, this.names)
  }
}

/** The access context of an inbound event (plus the thread's owner, when bound). */
export function contextOf(event: Pick<ChatEvent, "user" | "platform" | "channel" | "channelName" | "space">, ownerID?: string): AccessContext {
  return {
    user: event.user,
    platform: event.platform,
    channel: event.channel,
    ...(event.channelName !== undefined ? { channelName: event.channelName } : {}),
    space: event.space,
    ...(ownerID !== undefined ? { ownerID } : {}),
  }
}
