// The chat command vocabulary. Commands see only this narrow API of the thread they run in;
// the conversation service implements it.
import type { ChatCapabilities, ChatUser } from "../chat/types.ts"

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

/** What the platform a command answers on offers, so replies tell people what they can do there. */
export interface CommandSurface {
  platform: string
  /** Requests offer choices to click (buttons, menus). */
  buttons: boolean
  /** Reactions answer requests. */
  reactions: boolean
  /** A mention starts a conversation in a new thread; false where there is one conversation to write in (a terminal). */
  mentions: boolean
  /** Choices are picked by pressing their number key rather than clicked (a terminal). */
  keys: boolean
}

export interface CommandContext {
  args: string
  user: ChatUser
  /** Where the command runs: help and hints are worded for it. */
  surface: CommandSurface
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
  /** Options to pick from, posted in the thread: a click runs `command <arg>` as the clicker. */
  choices?: CommandChoices
}

export interface CommandChoices {
  /** The message above the buttons (or select). */
  text: string
  /** The command each option runs (without the prefix). */
  command: string
  options: Array<{ label: string; arg: string }>
  placeholder?: string
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

/**
 * The surface of a platform from its capabilities. A terminal (the `terminal` markdown dialect)
 * has one conversation and picks choices with number keys; chat platforms start threads on a
 * mention.
 */
export function commandSurface(platform: string, capabilities: ChatCapabilities): CommandSurface {
  const terminal = capabilities.markdown === "terminal"
  return { platform, buttons: capabilities.buttons && !terminal, reactions: capabilities.reactions, mentions: !terminal, keys: terminal && capabilities.buttons }
}
