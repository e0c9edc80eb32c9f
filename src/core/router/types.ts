// The router's vocabulary: what a per-session subscriber can receive, and how permission and
// question requests are decided and closed.
import type { PermissionRequest, QuestionRequest } from "../../runtime/events.ts"
import type {
  DerivedStatus,
  MessageState,
  PermissionOutcome,
  QuestionOutcome,
  SessionErrorInfo,
  SessionState,
} from "../store/types.ts"

export interface PermissionDecision {
  reply: "once" | "always" | "reject"
  /** With `reject`: feedback the model reads; the agent continues instead of stopping. */
  message?: string
}

export type QuestionDecision = { answers: string[][] } | { reject: true }

export type Request =
  | { kind: "permission"; request: PermissionRequest }
  | { kind: "question"; request: QuestionRequest }

export interface RequestContext {
  /** Aborted when the request is closed by anything other than this subscriber's answer. */
  signal: AbortSignal
  /** Epoch ms at which the router rejects on its own. */
  deadline: number
}

/** How a request ended, as told to subscribers. */
export type RequestResult =
  | { via: "subscriber"; decision: PermissionDecision | QuestionDecision }
  | { via: "timeout"; decision: PermissionDecision | QuestionDecision }
  | { via: "subscriber-error"; decision: PermissionDecision | QuestionDecision; error: unknown }
  /** Answered by another client, a cascade, or gone from the runtime. */
  | { via: "elsewhere"; outcome: PermissionOutcome | QuestionOutcome }
  /** Our answer could not be delivered (runtime unreachable after retries). */
  | { via: "reply-failed"; decision: PermissionDecision | QuestionDecision; error: unknown }

export interface SessionSubscriber {
  /** After every batch that changed the session. */
  onChange?(session: SessionState): void
  onStatus?(session: SessionState, previous: DerivedStatus): void
  onMessageCompleted?(session: SessionState, message: MessageState): void
  onError?(session: SessionState, error: SessionErrorInfo): void
  onDeleted?(sessionID: string): void
  /** Decide a permission request. Throwing (or rejecting) makes the router reject it. */
  onPermission?(request: PermissionRequest, ctx: RequestContext): Promise<PermissionDecision>
  onQuestion?(request: QuestionRequest, ctx: RequestContext): Promise<QuestionDecision>
  /** Every request this subscriber was asked about ends here exactly once. */
  onRequestClosed?(request: Request, result: RequestResult): void
}

/** The runtime calls the router needs; a 404 means the request was already answered. */
export interface RuntimeReplies {
  permission(request: PermissionRequest, decision: PermissionDecision): Promise<void>
  question(request: QuestionRequest, decision: QuestionDecision): Promise<void>
}
