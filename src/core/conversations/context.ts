// What every conversation module works with: the relay's dependencies, its settings, and a
// few shared helpers. Implemented by the Conversations service.
import type { Logger } from "../../log/logger.ts"
import type { Verbosity } from "../../delivery/render/blocks.ts"
import type { RuntimeClient } from "../../runtime/client.ts"
import type { Repositories } from "../../storage/repositories.ts"
import type { Binding } from "../../storage/bindings.ts"
import type { TurnRecord } from "../../storage/turns.ts"
import type { RestoredSlot } from "../../delivery/turn-stream.ts"
import type { AccessPolicy } from "../access/policy.ts"
import type { Consent } from "../consent/service.ts"
import type { Interactions } from "../interactions/service.ts"
import type { Router } from "../router/router.ts"
import type { Store } from "../store/store.ts"
import type { Conversation } from "./conversation.ts"
import type { Surface } from "./host.ts"
import type { TurnRun } from "./turn-run.ts"

export interface ConversationSettings {
  /** Prefix of chat commands (`!status`). */
  commandPrefix: string
  /** Project directory of new sessions when the channel has none. */
  defaultDirectory: string
  verbosity: Verbosity
  maxPromptChars: number
  maxAttachmentBytes: number
  /** Follow-ups that may wait per thread. */
  maxQueuedPerThread: number
  /** Provider retry attempts after which a turn is stopped. */
  maxProviderRetries: number
  typingIntervalMs: number
  startTimeoutMs: number
  /** `providerID/modelID` and agent for new prompts, when set. */
  model?: string
  agent?: string
}

export interface ConversationDeps {
  client: RuntimeClient
  store: Store
  router: Router
  repos: Repositories
  interactions: Interactions
  access: AccessPolicy
  consent: Consent
  settings: ConversationSettings
  log: Logger
  /** Whether the runtime's event stream is up (typing pauses while it is not). */
  runtimeConnected?(): boolean
  /** Refetches one session's messages into the store (events may have been missed). */
  refresh?(sessionID: string, directory: string): Promise<void>
  now?: () => number
}

export interface ConversationContext extends ConversationDeps {
  readonly conversations: Map<string, Conversation>
  now(): number
  /** Posts a short notice in a thread (through the outbox). */
  notify(surface: Surface, thread: string, text: string): void
  /** A conversation object for a binding (created and attached once). */
  adopt(binding: Binding, surface: Surface): Conversation
  newRun(conv: Conversation, record: TurnRecord, restore?: RestoredSlot[]): TurnRun
  directoryFor(platform: string, channel: string): string
}
