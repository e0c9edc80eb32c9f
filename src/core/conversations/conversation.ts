// A bound thread: its binding, the platform it lives on, the turn in progress, and its
// subscription to the session's changes. The router calls it; it hands permission and
// question requests to the interactions service and store changes to the running turn.
import type { Space } from "../../chat/types.ts"
import type { Binding } from "../../storage/bindings.ts"
import type { Interactions } from "../interactions/service.ts"
import type { Router } from "../router/router.ts"
import type { SessionSubscriber } from "../router/types.ts"
import type { SessionState } from "../store/types.ts"
import type { Surface, ThreadHost } from "./host.ts"
import type { TurnRun } from "./turn-run.ts"

export interface ConversationHooks {
  /** The session went idle with nothing running here: send what is queued. */
  idle(conv: Conversation): void
  /** The session was deleted on the runtime. */
  deleted(conv: Conversation): void
}

export class Conversation implements ThreadHost {
  binding: Binding
  readonly surface: Surface
  run: TurnRun | undefined
  /** The session no longer exists on the runtime: the next message binds a new one. */
  stale = false
  private unsubscribe: (() => void) | undefined
  private readonly router: Router
  private readonly interactions: Interactions
  private readonly hooks: ConversationHooks

  constructor(binding: Binding, surface: Surface, deps: { router: Router; interactions: Interactions; hooks: ConversationHooks }) {
    this.binding = binding
    this.surface = surface
    this.router = deps.router
    this.interactions = deps.interactions
    this.hooks = deps.hooks
  }

  get thread(): string {
    return this.binding.thread
  }
  get channel(): string {
    return this.binding.channel
  }
  get workspace(): string {
    return this.binding.workspace
  }
  get space(): Space {
    return this.binding.space
  }
  get directory(): string {
    return this.binding.directory
  }
  get ownerID(): string {
    return this.binding.ownerID
  }
  get ownerName(): string | undefined {
    return this.binding.ownerName
  }
  get sessionID(): string {
    return this.binding.sessionID
  }

  sealTurn(): void {
    this.run?.stream.seal()
  }

  /** Follows the bound session (again, after a rebind). */
  attach(): void {
    this.unsubscribe?.()
    const subscriber: SessionSubscriber = {
      onChange: () => this.run?.check(),
      onStatus: (session: SessionState) => {
        if (session.derived === "idle" && !this.run) this.hooks.idle(this)
      },
      onPermission: (request, ctx) => this.interactions.ask(this, { kind: "permission", request }, ctx),
      onQuestion: (request, ctx) => this.interactions.ask(this, { kind: "question", request }, ctx),
      onRequestClosed: (request, result) => this.interactions.closed(this, request, result),
      onDeleted: () => {
        this.stale = true
        this.hooks.deleted(this)
      },
    }
    this.unsubscribe = this.router.subscribe(this.binding.sessionID, subscriber)
  }

  detach(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
  }
}
