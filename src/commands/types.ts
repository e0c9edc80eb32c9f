// The chat command vocabulary. Commands see only this narrow API of the thread they run in;
// the conversation service implements it.
import type { ChatUser } from "../chat/types.ts"

export interface CommandApi {
  /** Starts a fresh session in this thread (and sends `prompt` to it, if any). Returns what to tell the thread. */
  newSession(prompt: string | undefined): Promise<string>
  /** Stops the running turn and drops queued follow-ups. */
  abort(): Promise<string>
  /** A short report: session, model, state, pending approvals, queue, cost so far (host paths only for admins). */
  status(opts: { paths: boolean }): Promise<string>
  /** The "Always" grants in force for this thread (its own and its project's). */
  grants(): Promise<Array<{ id: number; scope: "thread" | "project"; permission: string; patterns: string[]; by: string; at: number }>>
  /** Revokes a grant of this thread or its project; says what happened. */
  revokeGrant(id: number): Promise<string>
}

export interface CommandContext {
  args: string
  user: ChatUser
  /** The command prefix in use, for help texts. */
  prefix: string
  /** The thread already has a session. */
  bound: boolean
  /** The user is an administrator here. */
  admin: boolean
  api: CommandApi
  /** Every registered command (for help). */
  commands: readonly Command[]
}

export interface CommandResult {
  /** Posted in the thread. */
  reply?: string
  /** Shown only to the user, where the platform allows. */
  ephemeral?: string
}

export interface Command {
  name: string
  aliases?: string[]
  summary: string
  usage?: string
  /**
   * `prompt`: the right to prompt here. `thread`: that, and in a thread someone else started,
   * being an approver or administrator too (it affects their session).
   */
  needs: "prompt" | "thread" | "nothing"
  run(ctx: CommandContext): Promise<CommandResult>
}
