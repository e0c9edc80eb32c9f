// The terminal as a chat platform: one local user, one thread, the same adapter contract the
// chat platforms use. Lines you type are messages (`/status` and friends are commands); when a
// message offers choices, pressing its number (on an empty line) clicks it.
import { emitKeypressEvents, createInterface, type Interface } from "node:readline"
import { userInfo } from "node:os"
import type {
  ChatAdapter,
  ChatCapabilities,
  ChatReply,
  ChatSink,
  ChatUser,
  MessageRef,
  OutMessage,
  ThreadRef,
} from "../../src/chat/types.ts"
import { Screen } from "./screen.ts"

export interface TerminalOptions {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(on: boolean): unknown }
  output: NodeJS.WriteStream
  /** Called when the user quits (/quit, Ctrl+C twice, end of input). */
  onQuit(): void
  prompt?: string
}

export const TERMINAL_THREAD: ThreadRef = "terminal:local:tty:main"

export const terminalCapabilities: ChatCapabilities = {
  maxMessageLength: 100_000,
  markdown: "terminal",
  buttons: true,
  selects: true,
  reactions: false,
  ephemeral: true,
  maxActions: 9,
  maxActionLabel: 40,
  // A terminal has no rate limit, but redrawing more than a few times a second only flickers.
  rateRules: [{ scope: "channel", ops: ["edit"], max: 8, perMs: 1_000 }],
}

export class TerminalAdapter implements ChatAdapter {
  readonly platform = "terminal"
  readonly capabilities = terminalCapabilities
  private readonly opts: TerminalOptions
  private readonly screen: Screen
  private readonly user: ChatUser
  private rl: Interface | undefined
  private sink: ChatSink | undefined
  private seq = 0
  /** The newest message offering choices, and its action ids in key order. */
  private choices: { ref: MessageRef; ids: Array<{ id: string; value?: string }> } | undefined
  private lastInterrupt = 0

  /** The person at this terminal (the access config grants them the chat). */
  get localUser(): ChatUser {
    return this.user
  }

  constructor(opts: TerminalOptions) {
    this.opts = opts
    const out = opts.output
    this.screen = new Screen({
      write: (text) => this.print(text),
      get columns() {
        return out.columns ?? 80
      },
      isTTY: Boolean(out.isTTY),
    })
    const name = safeUsername()
    this.user = { id: `local:${name}`, name, isBot: false }
  }

  async start(sink: ChatSink): Promise<void> {
    this.sink = sink
    const rl = createInterface({ input: this.opts.input, output: this.opts.output, terminal: Boolean(this.opts.output.isTTY) })
    this.rl = rl
    rl.setPrompt(this.opts.prompt ?? "you › ")
    if (this.opts.input.isTTY) {
      emitKeypressEvents(this.opts.input)
      this.opts.input.on("keypress", (str: string | undefined) => this.keypress(str))
    }
    rl.on("line", (line) => void this.line(line))
    rl.on("SIGINT", () => this.interrupt())
    rl.on("close", () => this.opts.onQuit())
    this.screen.note("Switchboard terminal chat. Type a request; /help lists commands; Ctrl+C stops an answer, twice quits.")
    rl.prompt()
  }

  async stop(): Promise<void> {
    this.rl?.removeAllListeners("close")
    this.rl?.close()
  }

  scopeOf(): { channel: string; workspace: string } {
    return { channel: "tty", workspace: "local" }
  }

  async post(thread: ThreadRef, message: OutMessage): Promise<MessageRef> {
    const ref = `${thread}:${++this.seq}`
    this.screen.post(ref, message)
    this.trackChoices(ref, message)
    return ref
  }

  async edit(ref: MessageRef, message: OutMessage): Promise<void> {
    this.screen.edit(ref, message)
    this.trackChoices(ref, message)
  }

  async ephemeral(_thread: ThreadRef, _user: string, text: string): Promise<void> {
    this.screen.note(`ℹ ${text}`)
  }

  /** Prints above the prompt line, keeping what the user is typing. */
  private print(text: string): void {
    const out = this.opts.output
    if (this.rl && out.isTTY) out.write("\r\x1b[2K")
    out.write(text)
    this.rl?.prompt(true)
  }

  private trackChoices(ref: MessageRef, message: OutMessage) {
    const ids = [
      ...(message.actions ?? []).map((a) => ({ id: a.id })),
      ...(message.select ? message.select.options.map((o) => ({ id: message.select!.id, value: o.value })) : []),
    ]
    if (ids.length > 0) this.choices = { ref, ids }
    else if (this.choices?.ref === ref) this.choices = undefined
  }

  private keypress(str: string | undefined) {
    if (!this.choices || !str || !/^[1-9]$/.test(str) || (this.rl?.line ?? "") !== str) return
    const pick = this.choices.ids[Number(str) - 1]
    if (!pick) return
    // The digit went into the line buffer: take it back out, then click.
    this.rl?.write(null, { ctrl: true, name: "u" })
    void this.deliver({ kind: "action", message: this.choices.ref, actionId: pick.id, ...(pick.value !== undefined ? { value: pick.value } : {}) })
  }

  private async line(raw: string) {
    const text = raw.trim()
    if (text === "/quit" || text === "/exit") return this.opts.onQuit()
    if (this.choices && /^[1-9]$/.test(text)) {
      const pick = this.choices.ids[Number(text) - 1]
      if (pick) return this.deliver({ kind: "action", message: this.choices.ref, actionId: pick.id, ...(pick.value !== undefined ? { value: pick.value } : {}) })
    }
    if (text.length === 0) return this.rl?.prompt()
    await this.deliver({ kind: "message", message: `${TERMINAL_THREAD}:in${++this.seq}`, text, files: [], mentioned: true, threadStart: false })
  }

  private interrupt() {
    const now = Date.now()
    if (now - this.lastInterrupt < 2_000) return this.opts.onQuit()
    this.lastInterrupt = now
    this.screen.note("(stopping the current answer; press Ctrl+C again to quit)")
    void this.deliver({ kind: "command", name: "abort", args: "" })
  }

  private async deliver(event: Record<string, unknown> & { kind: string }) {
    if (!this.sink) return
    const reply: ChatReply | void = await this.sink({
      platform: this.platform,
      workspace: "local",
      channel: "tty",
      space: "direct",
      thread: TERMINAL_THREAD,
      user: this.user,
      id: `t${Date.now()}-${++this.seq}`,
      at: Date.now(),
      ...event,
    } as Parameters<ChatSink>[0])
    // Only a click's answer comes back here; other private notes arrive through ephemeral().
    if (reply?.ephemeral && event.kind === "action") this.screen.note(`ℹ ${reply.ephemeral}`)
    this.rl?.prompt(true)
  }
}

function safeUsername(): string {
  try {
    return userInfo().username || "you"
  } catch {
    return "you"
  }
}
