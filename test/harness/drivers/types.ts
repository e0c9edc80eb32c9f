// One way to act as a person on any platform, for the parity scenarios (test/e2e/parity.test.ts):
// each platform's driver starts its fake (driven by the real client library), the real OpenCode
// with the scripted model, and the relay wired from config as `switchboard start` does; then it
// mentions, replies, clicks and reads what a person sees there. Oracles stay independent: a
// driver reports what the platform shows (its own rendering of messages), never what the relay
// meant to send.
import type { ModelServer } from "../model-server/index.ts"

/** The three people of every scenario. */
export type Person = "alice" | "bob" | "carol"
// alice: starts threads (may prompt; no approver rights while approvers are configured)
// bob:   may prompt, may not approve
// carol: the configured approver

/** A capability a scenario needs; a driver that lacks one says why (the scenario is declared, not skipped). */
export type Feature =
  | "buttons" // clickable choices on requests
  | "selects" // a select menu for questions with many options
  | "ephemeral" // notes only the actor sees
  | "restart" // the relay can be stopped and started on the same database
  | "reconnect" // the platform connection can be dropped and comes back, with missed messages fetched
  | "files" // attachments in and uploads out

export interface Conversation {
  /** Opaque to the scenario: the driver's handle on the thread the conversation lives in. */
  readonly id: string
}

export interface VisibleMessage {
  /** The text as a person reads it on this platform (the fake's own rendering). */
  text: string
  /** Labels of the buttons (and select options) the message offers now. */
  choices: string[]
}

export interface ParityDriver {
  readonly platform: string
  /** Features this platform does not have, each with the reason. */
  readonly lacks: Partial<Record<Feature, string>>
  /** The scripted model every scenario scripts its answers on. */
  readonly model: ModelServer
  /** The longest message the platform shows (its own limit, from the fake's table). */
  readonly maxMessageLength: number
  /** Fakes, runtime and relay up; the access config: carol approves, alice and bob prompt. */
  start(opts?: { interactionTimeoutSeconds?: number }): Promise<void>
  close(): Promise<void>
  /** A top-level message mentioning the bot; resolves once the conversation's thread is known. */
  mention(who: Person, text: string): Promise<Conversation>
  /** A reply in the conversation (no mention). */
  reply(c: Conversation, who: Person, text: string): Promise<void>
  /** Clicks the choice labelled `label` on the newest bot message offering it. Returns the private note, if any. */
  click(c: Conversation, who: Person, label: string): Promise<{ ephemeral?: string }>
  /** Picks `labels` in the newest bot message's select (or its buttons, where it has no select). */
  choose(c: Conversation, who: Person, labels: string[]): Promise<{ ephemeral?: string }>
  /** The bot's messages in the conversation as a person sees them, oldest first. */
  botMessages(c: Conversation): VisibleMessage[]
  /** Notes only `who` saw (ephemeral messages, private replies), oldest first. */
  ephemerals(who: Person): string[]
  /** Resolves when the next turn of the conversation has finished (the relay's own event). */
  turnFinished(c: Conversation): Promise<void>
  /** Resolves when `pred` holds for what the platform shows; rejects with `what` after a while. */
  waitFor<T>(pred: () => T | undefined | false, what: string): Promise<T>
  /** Stops the relay and starts it again on the same database (Feature "restart"). */
  restartRelay(): Promise<void>
  /** Drops the relay's platform connection; `whileDown` runs before it may come back (Feature "reconnect"). */
  reconnect(whileDown: () => Promise<void>): Promise<void>
}
