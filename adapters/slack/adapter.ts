// The Slack ChatAdapter: wires the Web API (api.ts, client.ts), Socket Mode (socket.ts) or the
// HTTP Events API (http-receiver.ts), the inbound listeners (inbound/*, in order through the
// Inbox), outbound payloads (outbound.ts), native streams (stream.ts) and files (files.ts).
// Deliberately thin: each concern lives in its own file. Set-up and traps: docs/slack.md.
import type { App } from "@slack/bolt"
import { LRUCache } from "lru-cache"
import { ChatError, isChatError } from "../../src/chat/errors.ts"
import { Inbox } from "../../src/chat/inbox.ts"
import { SeenIds } from "../../src/chat/seen-ids.ts"
import type { ChatAdapter, ChatCapabilities, ChatSink, CommandSpec, HttpRoute, MessageRef, NativeStream, OutFile, OutMessage, StreamOpening, ThreadRef } from "../../src/chat/types.ts"
import type { Logger } from "../../src/log/logger.ts"
import { withDeadline } from "../../src/timing/deadline.ts"
import { Api, type Json } from "./api.ts"
import { Channels } from "./channels.ts"
import { createApp, createWebClient, missingScopes, missingScopesError, readIdentity, type Identity } from "./client.ts"
import { uploadFile } from "./files.ts"
import { HttpReceiver } from "./http-receiver.ts"
import { listen } from "./inbound/listen.ts"
import type { InboundDeps } from "./inbound/message.ts"
import { DEFAULT_RATE_RULES, LIMITS } from "./limits.ts"
import { manifestYaml } from "./manifest.ts"
import { apiUrlOf, checkOptions, type SlackMode, type SlackOptions } from "./options.ts"
import { emojiName, payloadOf, shownText } from "./outbound.ts"
import { channelOf, decodeMessage, decodeThread, encodeMessage, encodeThread, PLATFORM, tsToMs, type ThreadAddress } from "./refs.ts"
import { SocketLink } from "./socket.ts"
import { openStream } from "./stream.ts"
import { Profiles } from "./users.ts"

const where = (t: ThreadAddress) => `channel ${t.channel}${t.root ? ` (thread ${t.root})` : ""}`

export class SlackAdapter implements ChatAdapter {
  readonly platform = PLATFORM
  readonly capabilities: ChatCapabilities
  private readonly opts: SlackOptions
  private readonly log: Logger
  private readonly mode: SlackMode
  private readonly apiUrl: string
  private readonly timeoutMs: number
  private readonly api: Api
  private readonly channels: Channels
  private readonly users: Profiles
  private readonly inbox: Inbox
  private readonly http: HttpReceiver | undefined
  /** Our posts' threads (`channel:ts` → root), so reactions on them need no read. */
  private readonly known = new LRUCache<string, string>({ max: LIMITS.maxKnownPosts })
  /** Threads whose assistant status we set recently (it lasts 2 minutes, and clears when we post). */
  private readonly status = new LRUCache<string, true>({ max: LIMITS.maxKnownPosts, ttl: LIMITS.statusRefreshMs })
  private commands: CommandSpec[] = []
  private me: Identity | undefined
  private sink: ChatSink | undefined
  private app: App | undefined
  private socket: SocketLink | undefined
  /** The token holds assistant:write: streams and status may work (Slack still decides). */
  private assistant = false

  constructor(opts: SlackOptions) {
    checkOptions(opts)
    this.opts = opts
    this.log = opts.log
    this.mode = opts.mode ?? "socket"
    this.apiUrl = apiUrlOf(opts, LIMITS.apiUrl)
    this.timeoutMs = opts.requestTimeoutMs ?? LIMITS.requestTimeoutMs
    this.api = new Api(createWebClient(opts.botToken, this.apiUrl, this.timeoutMs, this.log))
    this.channels = new Channels(this.api, opts.channels ?? [], this.log)
    this.users = new Profiles(this.api, this.log)
    this.inbox = new Inbox((err, channel) => this.log.error({ err, channel }, "inbound Slack event failed; it was not delivered"))
    if (this.mode === "http") this.http = new HttpReceiver({ signingSecret: opts.signingSecret ?? "", path: opts.eventsPath ?? LIMITS.eventsPath, log: this.log })
    this.capabilities = {
      maxMessageLength: LIMITS.maxMessageChars,
      softMessageLength: opts.softMessageLength ?? LIMITS.softMessageChars,
      markdown: "gfm",
      buttons: true,
      selects: true,
      reactions: true,
      ephemeral: true,
      maxActions: LIMITS.maxActions,
      maxActionLabel: LIMITS.maxActionLabel,
      rateRules: opts.rateRules ?? DEFAULT_RATE_RULES,
      ...(opts.streaming === false ? {} : { streaming: { maxAppend: LIMITS.streamMaxAppend, maxTotal: LIMITS.streamMaxTotal } }),
    }
  }

  async start(sink: ChatSink): Promise<void> {
    if (this.app) throw new Error("slack: the adapter is already started")
    const me = await readIdentity(this.api, this.apiUrl)
    const missing = missingScopes(me.scopes)
    if (missing.required.length) throw missingScopesError(missing.required)
    if (missing.optional.length) this.log.warn({ missing: missing.optional }, "the Slack bot token lacks optional scopes; those features are off (see `switchboard doctor`)")
    this.assistant = this.opts.streaming !== false && (me.scopes === undefined || me.scopes.includes("assistant:write"))
    if (!this.assistant) delete this.capabilities.streaming
    this.me = me
    this.sink = sink
    const socket =
      this.mode === "socket"
        ? new SocketLink({
            appToken: this.opts.appToken ?? "",
            apiUrl: this.apiUrl,
            timeoutMs: this.timeoutMs,
            clientPingTimeoutMs: this.opts.socket?.clientPingTimeoutMs ?? LIMITS.clientPingTimeoutMs,
            serverPingTimeoutMs: this.opts.socket?.serverPingTimeoutMs ?? LIMITS.serverPingTimeoutMs,
            reconnect: { initialMs: this.opts.socket?.reconnectInitialMs ?? LIMITS.reconnectInitialMs, maxMs: this.opts.socket?.reconnectMaxMs ?? LIMITS.reconnectMaxMs },
            log: this.log,
          })
        : undefined
    const receiver = socket?.receiver ?? this.http
    if (!receiver) throw new Error("slack: no receiver for this mode")
    const app = createApp({ token: this.opts.botToken, identity: me, receiver, apiUrl: this.apiUrl, timeoutMs: this.timeoutMs, log: this.log })
    listen(app, {
      deps: () => this.started(),
      api: this.api,
      inbox: this.inbox,
      seen: new SeenIds(LIMITS.seenMessages),
      triggers: new SeenIds(LIMITS.seenTriggers),
      commandName: this.opts.commandName ?? LIMITS.commandName,
      sink: () => this.sink,
      knownThread: (channel, ts) => this.known.get(`${channel}:${ts}`),
      log: this.log,
      now: Date.now,
    })
    this.app = app
    try {
      if (socket) await socket.start(LIMITS.startConnectTimeoutMs)
    } catch (err) {
      this.app = undefined
      this.sink = undefined
      throw err
    }
    this.socket = socket
    this.log.info({ bot: me.name, team: me.teamName, mode: this.mode, streaming: this.assistant }, "Slack adapter started")
  }

  async stop(): Promise<void> {
    const socket = this.socket
    this.socket = undefined
    await socket?.stop()
    await withDeadline(this.inbox.idle(), LIMITS.stopDrainMs)
    this.app = undefined
    this.sink = undefined
  }

  /** For `switchboard doctor`: both tokens work, and which of the manifest's scopes are missing. */
  async check(): Promise<string> {
    const me = await readIdentity(this.api, this.apiUrl)
    const missing = missingScopes(me.scopes)
    if (missing.required.length) throw missingScopesError(missing.required)
    const parts = [`bot @${me.name} in ${me.teamName || me.team}`]
    if (this.mode === "socket") {
      const app = new Api(createWebClient(this.opts.appToken ?? "", this.apiUrl, this.timeoutMs, this.log))
      try {
        await app.call("check the app-level token (apps.connections.open)", "apps.connections.open")
      } catch (err) {
        throw new Error(`slack: the app-level token (SLACK_APP_TOKEN) was refused: ${(err as Error).message}`, { cause: err })
      }
      parts.push("app-level token works (Socket Mode)")
    } else parts.push(`HTTP mode: Slack must reach ${this.opts.eventsPath ?? LIMITS.eventsPath} on the relay's public URL`)
    if (me.scopes === undefined) parts.push("Slack did not report the granted scopes")
    else if (missing.optional.length) parts.push(`missing optional scopes: ${missing.optional.join(", ")}`)
    return parts.join("; ")
  }

  async lookup(kind: "user" | "channel", name: string): Promise<string | undefined> {
    try {
      return kind === "user" ? await this.users.byName(name) : await this.channels.byName(name)
    } catch (err) {
      if (isChatError(err, "forbidden") || isChatError(err, "not_found")) return undefined
      throw err
    }
  }

  /** A Slack thread is the replies to a message: opening one on a message is naming it (no call). */
  async openThread(message: MessageRef, thread: ThreadRef): Promise<ThreadRef> {
    const t = decodeThread(thread)
    if (t.root) return thread
    const m = decodeMessage(message)
    return m.channel === t.channel ? encodeThread({ team: t.team, channel: t.channel, root: m.ts }) : thread
  }

  scopeOf(ref: ThreadRef | MessageRef): { channel: string; workspace: string } {
    return { channel: channelOf(ref), workspace: this.me?.team ?? PLATFORM }
  }

  routes(): HttpRoute[] {
    return this.http ? [this.http.route()] : []
  }

  async registerCommands(commands: CommandSpec[]): Promise<void> {
    // Slack registers slash commands in the app's configuration, not by API: they live in the manifest.
    this.commands = [...commands]
  }

  /** The app manifest for this configuration (the slash command's usage lists the registered commands). */
  manifest(requestUrl?: string): string {
    return manifestYaml({ commandName: this.opts.commandName ?? LIMITS.commandName, commands: this.commands, mode: this.mode, ...(requestUrl ? { requestUrl } : {}) })
  }

  async post(thread: ThreadRef, message: OutMessage): Promise<MessageRef> {
    const t = decodeThread(thread)
    const p = payloadOf(message)
    const args = { channel: t.channel, ...(t.root ? { thread_ts: t.root } : {}), text: p.text, blocks: p.blocks, unfurl_links: false, unfurl_media: false }
    const res = await this.api.call<{ ts?: string; channel?: string }>(`post to ${where(t)}`, "chat.postMessage", args)
    if (!res.ts) throw new ChatError(PLATFORM, "invalid", `post to ${where(t)}: Slack returned no ts`)
    return this.posted(t, res.channel ?? t.channel, res.ts)
  }

  async edit(ref: MessageRef, content: OutMessage): Promise<void> {
    const m = decodeMessage(ref)
    const p = payloadOf(content)
    // Always the full blocks: a text-only update would keep the old ones (test/harness/slack/README.md "chat.update semantics").
    await this.api.call(`edit message ${m.ts}`, "chat.update", { channel: m.channel, ts: m.ts, text: p.text, blocks: p.blocks })
  }

  async delete(ref: MessageRef): Promise<void> {
    const m = decodeMessage(ref)
    await this.api.call(`delete message ${m.ts}`, "chat.delete", { channel: m.channel, ts: m.ts })
  }

  async react(ref: MessageRef, emoji: string): Promise<void> {
    const m = decodeMessage(ref)
    const name = emojiName(emoji)
    await this.api.call(`react :${name}: to message ${m.ts}`, "reactions.add", { channel: m.channel, timestamp: m.ts, name }).catch((err: unknown) => {
      if (!(err instanceof ChatError && /already_reacted/.test(err.message))) throw err
    })
  }

  /** The assistant status ("is working…") where the token has assistant:write; otherwise nothing. */
  async typing(thread: ThreadRef): Promise<void> {
    const t = decodeThread(thread)
    if (!this.assistant || !t.root || this.status.get(thread)) return
    try {
      await this.api.call(`show status in ${where(t)}`, "assistant.threads.setStatus", { channel_id: t.channel, thread_ts: t.root, status: LIMITS.typingStatus })
      this.status.set(thread, true)
    } catch (err) {
      if (isChatError(err, "rate_limited") || isChatError(err, "transient")) throw err
      if (isChatError(err, "forbidden")) {
        this.log.info({ err }, "Slack refused the assistant status; no typing indicator from now on")
        this.assistant = false
      } else {
        // Not offered in this thread (Slack decides where statuses show): do not ask again soon.
        this.log.debug({ err, thread }, "Slack refused the assistant status in this thread")
        this.status.set(thread, true)
      }
    }
  }

  async ephemeral(thread: ThreadRef, userId: string, text: string): Promise<void> {
    const t = decodeThread(thread)
    const p = payloadOf({ text })
    const args = { channel: t.channel, user: userId, text: p.text, blocks: p.blocks, ...(t.root ? { thread_ts: t.root } : {}) }
    await this.api.call(`private note for ${userId} in ${where(t)}`, "chat.postEphemeral", args)
  }

  async upload(thread: ThreadRef, file: OutFile, comment?: string): Promise<MessageRef> {
    const t = decodeThread(thread)
    return this.posted(t, t.channel, await uploadFile(this.api, t, file, comment, this.log))
  }

  async stream(thread: ThreadRef, opening: StreamOpening): Promise<NativeStream> {
    const t = decodeThread(thread)
    if (!this.assistant) throw new ChatError(PLATFORM, "unsupported", "streaming is off (no assistant:write scope, or disabled in the config)")
    const stream = await openStream(this.api, t, opening)
    this.posted(t, t.channel, decodeMessage(stream.ref).ts)
    return stream
  }

  async recentPosts(thread: ThreadRef, since: number): Promise<Array<{ ref: MessageRef; text: string; at: number }>> {
    const t = decodeThread(thread)
    const me = this.started().me
    const out: Array<{ ref: MessageRef; text: string; at: number }> = []
    let cursor: string | undefined
    for (let page = 0; page < LIMITS.recentPostsPages; page++) {
      const args = { channel: t.channel, oldest: (since / 1000).toFixed(6), inclusive: true, limit: 200, ...(t.root ? { ts: t.root } : {}), ...(cursor ? { cursor } : {}) }
      const res = await this.api.read<{ messages?: Json[]; response_metadata?: { next_cursor?: string } }>(`read recent posts of ${where(t)}`, t.root ? "conversations.replies" : "conversations.history", args)
      for (const m of res.messages ?? []) {
        const ts = typeof m.ts === "string" ? m.ts : ""
        if (!ts || m.user !== me.userId || ts === t.root || tsToMs(ts) < since) continue
        out.push({ ref: encodeMessage({ channel: t.channel, ts }), text: shownText(m), at: tsToMs(ts) })
      }
      cursor = res.response_metadata?.next_cursor || undefined
      if (!cursor) break
    }
    return out.sort((a, b) => a.at - b.at)
  }

  private posted(t: ThreadAddress, channel: string, ts: string): MessageRef {
    this.known.set(`${channel}:${ts}`, t.root)
    this.status.delete(`${PLATFORM}:${t.team}:${t.channel}:${t.root}`)
    return encodeMessage({ channel, ts })
  }

  private started(): InboundDeps {
    if (!this.me) throw new ChatError(PLATFORM, "invalid", "the Slack adapter is not started")
    return { me: this.me, users: this.users, channels: this.channels, token: this.opts.botToken, apiUrl: this.apiUrl, log: this.log }
  }
}
