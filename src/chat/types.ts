// The platform-neutral chat contract: what every adapter declares and implements, and the one
// shape of inbound events. Delivery reads only the capabilities; the core speaks only these
// types; nothing here knows Mattermost, Slack, Discord or OpenCode.

/** Opaque address of a thread, `{platform}:{…}`. Only the adapter that made it decodes it. */
export type ThreadRef = string
/** Opaque address of one posted message, `{platform}:{…}`. */
export type MessageRef = string

/** Markdown flavours delivery can produce. */
export type MarkdownDialect = "gfm" | "terminal"

/**
 * A platform rate limit: at most `max` calls per `perMs` for the named operations in one scope
 * (a sliding window). With `burst`, that many calls may go at once and the rest are spaced so
 * that no window holds more than `max`; without it, every call is spaced by `perMs / max`.
 */
export interface RateRule {
  scope: "channel" | "workspace"
  ops: ChatOp[]
  max: number
  perMs: number
  burst?: number
}

/**
 * `stream-start`, `stream`, `stream-stop`: opening, appending to and ending a native stream
 * (ChatAdapter.stream), budgeted apart from posts and edits (Slack counts each method apart).
 */
export type ChatOp = "post" | "edit" | "delete" | "react" | "typing" | "upload" | "stream-start" | "stream" | "stream-stop"

export interface ChatCapabilities {
  /** Hard cap of one message's text, measured as UTF-16 length (never below the platform's count). */
  maxMessageLength: number
  /** Roll into a new message at a paragraph boundary past this length (readability, e.g. tall posts collapse). */
  softMessageLength?: number
  markdown: MarkdownDialect
  buttons: boolean
  /** Select menus (for questions with many options). */
  selects: boolean
  reactions: boolean
  /** Replies only the acting user sees. */
  ephemeral: boolean
  /** Buttons per message the platform allows. */
  maxActions: number
  maxActionLabel: number
  /** Rate limits the outbox must stay within; platforms also answer 429 when we do not. */
  rateRules: RateRule[]
  /** Messages older than this cannot be edited (or edits become scarce): continue in a new one. */
  maxEditAgeMs?: number
  /** With `ChatAdapter.stream`: the most text one append may carry, and one streamed message may hold. */
  streaming?: { maxAppend: number; maxTotal: number }
}

export interface ChatUser {
  /** The platform's stable user id. Access rules match this, never the (changeable) name. */
  id: string
  /** Username/handle where the platform has one (for display and audit only). */
  name?: string
  displayName?: string
  /** A bot account, an integration or a webhook: its messages are not prompts unless allowed. */
  isBot: boolean
  /** Posted through an incoming webhook (which runs under some owner's account). */
  webhook?: boolean
  /** The platform could not tell who this is (profile lookup failed): every access rule refuses. */
  unknown?: boolean
  /** Groups or roles the adapter can tell (used by access rules): ids and names. */
  groups?: string[]
}

export interface ChatFile {
  id: string
  name: string
  mime: string
  /** Size as the platform reports it (may be absent or wrong: the download enforces the cap). */
  size: number
  /**
   * Downloads the content (adapters keep the credentials), streaming: past `maxBytes` the
   * download is aborted and fails with a ChatError `too_large`; nothing larger is buffered.
   */
  fetch(limit: { maxBytes: number; signal?: AbortSignal }): Promise<Uint8Array>
}

/** Where an event happened: a channel (mention to start), a 1:1 direct message, or a group DM. */
export type Space = "channel" | "direct" | "group"

interface EventBase {
  platform: string
  /** Team / workspace / guild id. */
  workspace: string
  channel: string
  /** The channel's name where the platform has one (per-channel access rules match ids or names). */
  channelName?: string
  space: Space
  thread: ThreadRef
  user: ChatUser
  /** Platform id of what happened (message id, interaction id), for de-duplication. */
  id: string
  at: number
}

export interface MessageEvent extends EventBase {
  kind: "message"
  message: MessageRef
  /** Text with the bot mention removed. */
  text: string
  files: ChatFile[]
  /** The bot was mentioned (in a direct message every message counts as addressed to it). */
  mentioned: boolean
  /** Posted at the top of a channel: replying to it starts a new thread. */
  threadStart: boolean
}

/**
 * The platform's own answer channel for one click or command (Slack's `response_url`, Discord's
 * interaction token), used after the adapter acknowledged it at once. Answers through it cost
 * no message-edit budget. Without it, the adapter shows `ChatReply.ephemeral` in its answer.
 */
export interface Responder {
  /** A note only the person who acted sees. */
  ephemeral(text: string): Promise<void>
  /** Replaces the message that was clicked (actions clicks only). */
  update?(message: OutMessage): Promise<void>
}

export interface ActionEvent extends EventBase {
  kind: "action"
  message: MessageRef
  /** The opaque id from `OutMessage.actions` / `select`. */
  actionId: string
  /** Selected option value for selects (the first, for multi-selects). */
  value?: string
  /** Every selected value of a multi-select. */
  values?: string[]
  respond?: Responder
}

export interface ReactionEvent extends EventBase {
  kind: "reaction"
  message: MessageRef
  /** Emoji short name without colons (`white_check_mark`) or the character itself. */
  emoji: string
  added: boolean
}

export interface CommandEvent extends EventBase {
  kind: "command"
  /** Command word without prefix, lower case. */
  name: string
  args: string
  /**
   * Used at a channel's top level (not in a thread): a conversation it starts gets a thread of
   * its own, opened on a message the core posts there first (ChatAdapter.openThread).
   */
  threadStart?: boolean
  respond?: Responder
}

export type ChatEvent = MessageEvent | ActionEvent | ReactionEvent | CommandEvent

/**
 * What the core answers to an inbound event. For an `action` the adapter shows `ephemeral` in
 * its response to the click (platforms answer clicks inline); for every other event the core
 * already sent it through the outbox, and the adapter must not show it again.
 */
export interface ChatReply {
  /** Shown only to the acting user (ephemeral) where possible. */
  ephemeral?: string
}

export type ChatSink = (event: ChatEvent) => Promise<ChatReply | void>

export interface Action {
  /** Opaque id (≤ 64 chars of [A-Za-z0-9:_-]) handed back in ActionEvent.actionId. */
  id: string
  label: string
  style?: "primary" | "danger" | "default"
}

export interface Select {
  id: string
  placeholder: string
  options: Array<{ value: string; label: string }>
  /** Several options may be picked (ActionEvent.values carries them all). */
  multiple?: boolean
}

export interface OutMessage {
  /** Text in the adapter's markdown dialect, within `maxMessageLength`. */
  text: string
  actions?: Action[]
  select?: Select
  /**
   * Epoch ms after which the actions mean nothing (the request's deadline). Platforms that
   * sign their callbacks bind it into the signature; later clicks are refused.
   */
  actionsExpireAt?: number
}

/** A chat command as native slash commands need it (from the command registry). */
export interface CommandSpec {
  name: string
  aliases: string[]
  /** One line of help. */
  summary: string
  /** `new [first message]`: the usage line after the command word. */
  usage?: string
  /** Free-text argument, if the command takes one. */
  argument?: { name: string; description: string; required: boolean; choices?: string[] }
}

/** What a native stream needs to open in a thread (Slack: the recipient of an assistant stream). */
export interface StreamOpening {
  /** The first text. */
  text: string
  /** The person the answer is for, and their workspace (platforms that address streams). */
  recipient?: { user: string; workspace: string }
}

/** An open append-only stream: one message that grows as text is appended. */
export interface NativeStream {
  readonly ref: MessageRef
  /** Appends text (never more than `capabilities.streaming.maxAppend` at once). */
  append(text: string): Promise<void>
  /** Ends the stream; `final`, when given, is what the message shows from then on. */
  stop(final?: OutMessage): Promise<void>
}

export interface OutFile {
  name: string
  mime: string
  data: Uint8Array
}

/** An HTTP request the platform sends to the relay (e.g. a button callback). */
export interface HttpRequest {
  method: string
  /** Path without the query string. */
  path: string
  query: URLSearchParams
  headers: Record<string, string | undefined>
  body: Buffer
  remoteAddress?: string
}

export interface HttpResponse {
  status: number
  headers?: Record<string, string>
  body?: string
}

export interface HttpRoute {
  method: "GET" | "POST"
  /** Exact path, e.g. `/mattermost/actions`. */
  path: string
  handle(req: HttpRequest): Promise<HttpResponse>
}

/**
 * One chat platform. The required core is start/stop/post/edit; optional members say what
 * happens in their absence: without `react`, reactions are not offered; without `ephemeral`,
 * private answers go to the thread; without `typing`, no indicator is shown; without
 * `upload`, files are linked or described instead.
 */
export interface ChatAdapter {
  readonly platform: string
  readonly capabilities: ChatCapabilities
  start(sink: ChatSink): Promise<void>
  stop(): Promise<void>
  post(thread: ThreadRef, message: OutMessage): Promise<MessageRef>
  edit(message: MessageRef, content: OutMessage): Promise<void>
  /** Limiter keys of a thread or message: the channel and the workspace it belongs to. */
  scopeOf(ref: ThreadRef | MessageRef): { channel: string; workspace: string }
  delete?(message: MessageRef): Promise<void>
  react?(message: MessageRef, emoji: string): Promise<void>
  typing?(thread: ThreadRef): Promise<void>
  ephemeral?(thread: ThreadRef, userId: string, text: string): Promise<void>
  upload?(thread: ThreadRef, file: OutFile, comment?: string): Promise<MessageRef>
  /** Inbound HTTP the platform calls (button callbacks); served by the relay's HTTP server. */
  routes?(): HttpRoute[]
  /**
   * Messages the bot posted in a thread since `since` (epoch ms), oldest first. After a crash
   * between "post requested" and "post recorded" the relay finds the message here instead of
   * posting it twice. Without it, such a message is posted again.
   */
  recentPosts?(thread: ThreadRef, since: number): Promise<Array<{ ref: MessageRef; text: string; at: number }>>
  /**
   * Append-only streaming (Slack's chat.startStream/appendStream/stopStream). Delivery streams a
   * turn's answer through it where offered; if the platform refuses (a ChatError `unsupported`),
   * delivery falls back to edits for that workspace from then on. Without it: edits.
   */
  stream?(thread: ThreadRef, opening: StreamOpening): Promise<NativeStream>
  /**
   * Where a platform needs a thread created for a conversation (Discord: a thread on the message
   * that mentioned the bot), the core asks for it before binding: returns the new thread. Without
   * it, the event's `thread` is already the conversation's place.
   */
  openThread?(message: MessageRef, thread: ThreadRef, name: string): Promise<ThreadRef>
  /**
   * Registers the platform's native commands (slash commands) from the command registry, so
   * they match the prefix commands. Without it, only prefix commands exist.
   */
  registerCommands?(commands: CommandSpec[]): Promise<void>
  /**
   * Resolves a name from the configuration to the platform's id: a user by username, a channel
   * by name (within the configured team or workspace). Access rules are resolved through it at
   * start, so they match stable ids. Undefined when nothing has that name. Without it, names in
   * access rules match nobody on this platform (ids still do).
   */
  lookup?(kind: "user" | "channel", name: string): Promise<string | undefined>
}
