// The Discord ChatAdapter: wires the discord.js client (client.ts), inbound mapping (inbound/*,
// messages and reactions in channel order through the Inbox, interactions at once), threads per
// session (threads.ts), slash commands (commands.ts), catch-up after gaps (missed.ts) and
// outbound payloads (outbound.ts, files.ts). Deliberately thin: each concern lives in its own
// file. The Discord facts behind it are in docs/discord.md.
import {
  Events,
  Routes,
  type APIMessage,
  type Client,
  type Message,
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  type User,
} from "discord.js"
import { ChatError } from "../../src/chat/errors.ts"
import { Inbox } from "../../src/chat/inbox.ts"
import { SeenIds } from "../../src/chat/seen-ids.ts"
import type {
  ChatAdapter,
  ChatCapabilities,
  ChatEvent,
  ChatSink,
  CommandSpec,
  MessageRef,
  OutFile,
  OutMessage,
  ThreadRef,
} from "../../src/chat/types.ts"
import type { Logger } from "../../src/log/logger.ts"
import { withDeadline } from "../../src/timing/deadline.ts"
import { checkSetup } from "./check.ts"
import { createClient, guardResumeRace, login, loginError } from "./client.ts"
import { SlashCommands } from "./commands.ts"
import { call } from "./errors.ts"
import { uploadRequest } from "./files.ts"
import { onInteraction } from "./inbound/interaction.ts"
import { placeFor, skipReason, toMessageEvent, type InboundDeps } from "./inbound/message.ts"
import { toReactionEvent } from "./inbound/reaction.ts"
import { DEFAULT_RATE_RULES, LIMITS } from "./limits.ts"
import { Catchup } from "./missed.ts"
import { checkOptions, type DiscordOptions } from "./options.ts"
import { messageBody, reactionEmoji } from "./outbound.ts"
import { lookupName } from "./lookup.ts"
import { privateNote } from "./notes.ts"
import { Places } from "./places.ts"
import { decodeMessage, decodeThread, encodeMessage, PLATFORM, scopeChannel, snowflakeAt, targetOf, type ThreadAddress } from "./refs.ts"
import { Threads } from "./threads.ts"
import { Members } from "./users.ts"

/** Gateway close codes after which discord.js gives up, as what to do about them. */
const FATAL: Record<number, string> = { 4004: "Authentication failed", 4014: "Used disallowed intents" }

export class DiscordAdapter implements ChatAdapter {
  readonly platform = PLATFORM
  readonly capabilities: ChatCapabilities
  private readonly opts: DiscordOptions
  private readonly log: Logger
  private readonly client: Client
  private readonly places: Places
  private readonly threads: Threads
  private readonly commands: SlashCommands
  private readonly inbox: Inbox
  private readonly seen = new SeenIds(LIMITS.seenMessages)
  private deps: InboundDeps | undefined
  private catchup: Catchup | undefined
  private sink: ChatSink | undefined
  private readies = 0

  constructor(opts: DiscordOptions) {
    checkOptions(opts)
    this.opts = opts
    this.log = opts.log
    this.client = createClient({
      apiUrl: opts.apiUrl ?? LIMITS.apiUrl,
      restTimeoutMs: opts.restTimeoutMs ?? LIMITS.restTimeoutMs,
      ...(opts.identifyIntervalMs !== undefined ? { identifyIntervalMs: opts.identifyIntervalMs } : {}),
    })
    // REST works before login: doctor's check() and lookup() need no gateway.
    this.client.rest.setToken(opts.token)
    guardResumeRace(this.client, this.log)
    this.places = new Places(opts.guilds, opts.channels)
    this.threads = new Threads(this.client)
    this.commands = new SlashCommands(this.client, this.log, opts.applicationId)
    this.inbox = new Inbox((err, channel) => this.log.error({ err, channel }, "inbound Discord event failed; it was not delivered"))
    const components = opts.components ?? true
    this.capabilities = {
      maxMessageLength: LIMITS.maxMessageLength,
      softMessageLength: opts.softMessageLength ?? LIMITS.softMessageLength,
      markdown: "gfm",
      buttons: components,
      selects: components,
      reactions: true,
      ephemeral: true,
      maxActions: LIMITS.maxActions,
      maxActionLabel: LIMITS.maxActionLabel,
      rateRules: opts.rateRules ?? DEFAULT_RATE_RULES,
      maxEditAgeMs: LIMITS.maxEditAgeMs,
    }
  }

  async start(sink: ChatSink): Promise<void> {
    if (this.sink) throw new Error("discord: the adapter is already started")
    this.sink = sink
    this.listen()
    try {
      const ready = await login(this.client, this.opts.token, LIMITS.startReadyTimeoutMs)
      if (ready) this.onFirstReady()
      else {
        this.log.warn("Discord gateway not ready yet; discord.js keeps connecting")
        this.client.once(Events.ClientReady, () => {
          try {
            this.onFirstReady()
          } catch (err) {
            this.log.error({ err }, "Discord adapter could not start")
          }
        })
      }
    } catch (err) {
      this.sink = undefined
      await this.client.destroy()
      throw err
    }
  }

  async stop(): Promise<void> {
    const catchup = this.catchup
    this.catchup = undefined
    await catchup?.stop()
    await this.client.destroy()
    await withDeadline(this.inbox.idle(), LIMITS.stopDrainMs)
    this.sink = undefined
    this.deps = undefined
  }

  /** For `switchboard doctor`: token, Message Content intent, and the bot's permissions per channel. */
  check(): Promise<string> {
    return checkSetup(this.client.rest, { ...(this.opts.guilds ? { guilds: this.opts.guilds } : {}), ...(this.opts.channels ? { channels: this.opts.channels } : {}) })
  }

  lookup(kind: "user" | "channel", name: string): Promise<string | undefined> {
    return lookupName(this.client.rest, this.opts.guilds ?? [], kind, name)
  }

  scopeOf(ref: ThreadRef | MessageRef): { channel: string; workspace: string } {
    // The global limit is per bot, so every guild shares one "workspace" scope.
    return { channel: scopeChannel(ref), workspace: PLATFORM }
  }

  openThread(message: MessageRef, thread: ThreadRef, name: string): Promise<ThreadRef> {
    return this.threads.open(message, thread, name)
  }

  async registerCommands(specs: CommandSpec[]): Promise<void> {
    if (this.opts.slashCommands === false) return
    await this.commands.register(specs, this.servedGuilds())
  }

  async post(thread: ThreadRef, message: OutMessage): Promise<MessageRef> {
    const t = decodeThread(thread)
    await this.threads.ensure(thread)
    const body = messageBody(message, this.capabilities.buttons)
    const sent = (await call(`post to ${where(t)}`, () => this.client.rest.post(Routes.channelMessages(targetOf(t)), { body }))) as APIMessage
    return encodeMessage({ channel: targetOf(t), message: sent.id })
  }

  async edit(ref: MessageRef, content: OutMessage): Promise<void> {
    const m = decodeMessage(ref)
    const body = messageBody(content, this.capabilities.buttons)
    await call(`edit message ${m.message}`, () => this.client.rest.patch(Routes.channelMessage(m.channel, m.message), { body }))
  }

  async delete(ref: MessageRef): Promise<void> {
    const m = decodeMessage(ref)
    await call(`delete message ${m.message}`, () => this.client.rest.delete(Routes.channelMessage(m.channel, m.message)))
  }

  async react(ref: MessageRef, emoji: string): Promise<void> {
    const m = decodeMessage(ref)
    const e = reactionEmoji(emoji)
    await call(`react ${e} to message ${m.message}`, () => this.client.rest.put(Routes.channelMessageOwnReaction(m.channel, m.message, encodeURIComponent(e))))
  }

  async typing(thread: ThreadRef): Promise<void> {
    const t = decodeThread(thread)
    await this.threads.ensure(thread)
    await call(`show typing in ${where(t)}`, () => this.client.rest.post(Routes.channelTyping(targetOf(t))))
  }

  /** Discord has private messages only as answers to interactions: a DM instead (notes.ts). */
  ephemeral(thread: ThreadRef, userId: string, text: string): Promise<void> {
    return privateNote(this.client, thread, userId, text)
  }

  async upload(thread: ThreadRef, file: OutFile, comment?: string): Promise<MessageRef> {
    const t = decodeThread(thread)
    const { body, files } = uploadRequest(file, comment, this.opts.maxUploadBytes ?? LIMITS.maxUploadBytes)
    await this.threads.ensure(thread)
    const what = `upload ${file.name} (${file.data.byteLength} bytes) to ${where(t)}`
    const sent = (await call(what, () => this.client.rest.post(Routes.channelMessages(targetOf(t)), { body, files }))) as APIMessage
    return encodeMessage({ channel: targetOf(t), message: sent.id })
  }

  async recentPosts(thread: ThreadRef, since: number): Promise<Array<{ ref: MessageRef; text: string; at: number }>> {
    const t = decodeThread(thread)
    const target = targetOf(t)
    const me = this.started().client.user.id
    const query = new URLSearchParams({ after: snowflakeAt(since), limit: String(LIMITS.historyPage) })
    const list = (await call(`read recent messages of ${where(t)}`, () => this.client.rest.get(Routes.channelMessages(target), { query }))) as APIMessage[]
    return list
      .filter((m) => m.author.id === me && Date.parse(m.timestamp) >= since)
      .map((m) => ({ ref: encodeMessage({ channel: target, message: m.id }), text: m.content, at: Date.parse(m.timestamp) }))
      .sort((a, b) => a.at - b.at)
  }

  private started(): InboundDeps {
    if (!this.deps) throw new ChatError(PLATFORM, "invalid", "the Discord adapter is not started")
    return this.deps
  }

  private servedGuilds(): string[] {
    return [...this.client.guilds.cache.keys()].filter((id) => this.places.guildServed(id))
  }

  /** After the first ready: resolve the allow-lists, make the inbound deps, note where each channel is. */
  private onFirstReady(): void {
    const client = this.client as Client<true>
    this.places.resolveGuilds(client)
    const members = new Members(client, this.log, (id) => this.places.guildServed(id))
    const deps: InboundDeps = { client, members, places: this.places, threads: this.threads, log: this.log }
    this.deps = deps
    const catchup = new Catchup({ client, inbox: this.inbox, log: this.log, serves: (p) => this.places.serves(p), accept: (m, r) => this.acceptMessage(m, r) })
    for (const channel of client.channels.cache.values()) {
      if ("lastMessageId" in channel && channel.lastMessageId) catchup.note(channel.id, channel.lastMessageId)
    }
    this.catchup = catchup
    void Promise.all(this.servedGuilds().map((g) => this.commands.registerIn(g)))
    this.log.info({ bot: client.user.username, guilds: this.servedGuilds().length }, "Discord adapter started")
  }

  /** Every handler is guarded: a throw inside a discord.js event would escape as an unhandled rejection. */
  private listen(): void {
    const c = this.client
    const guard = (what: string, fn: () => unknown) => {
      try {
        const out = fn()
        if (out instanceof Promise) out.catch((err: unknown) => this.log.error({ err }, `Discord ${what} failed`))
      } catch (err) {
        this.log.error({ err }, `Discord ${what} failed`)
      }
    }
    c.on(Events.MessageCreate, (m) => guard("message", () => this.acceptMessage(m, false)))
    c.on(Events.MessageReactionAdd, (r, u) => guard("reaction", () => this.acceptReaction(r, u, true)))
    c.on(Events.MessageReactionRemove, (r, u) => guard("reaction", () => this.acceptReaction(r, u, false)))
    c.on(Events.InteractionCreate, (i) =>
      guard("interaction", () => this.deps && onInteraction({ ...this.deps, sink: () => this.sink, commands: this.commands, components: this.capabilities.buttons }, i)),
    )
    c.on(Events.GuildCreate, (g) => guard("guild join", () => this.places.guildServed(g.id) && this.commands.registerIn(g.id)))
    c.on(Events.ShardReconnecting, () => guard("reconnect", () => this.catchup?.gapStarted()))
    c.on(Events.ShardResume, (_id, replayed) => guard("resume", () => (this.log.info({ replayed }, "Discord gateway resumed"), this.catchup?.resumed())))
    c.on(Events.ShardReady, () => guard("ready", () => ++this.readies > 1 && (this.log.info("Discord gateway re-identified; catching up by history"), this.catchup?.reidentified())))
    c.on(Events.ShardDisconnect, (event) => {
      const fatal = FATAL[event.code]
      this.log.error({ code: event.code }, fatal ? loginError(new Error(fatal)).message : "Discord gateway closed for good")
    })
    c.on(Events.Error, (err) => this.log.error({ err }, "Discord client error"))
    c.on(Events.ShardError, (err) => this.log.warn({ err }, "Discord gateway connection error (discord.js reconnects)"))
    c.on(Events.Warn, (message) => this.log.warn({ message }, "discord.js warning"))
  }

  /** Live, replayed and recovered messages alike: filtered, de-duplicated by id, then mapped in channel order. */
  private acceptMessage(message: Message, recovered: boolean): void {
    const deps = this.deps
    if (!deps) return
    this.catchup?.note(message.channelId, message.id)
    const skip = skipReason(message, deps.client.user.id)
    if (skip) return this.log.debug({ messageId: message.id, skip }, "Discord message ignored")
    if (!this.seen.add(message.id)) return
    const task = async () => {
      const place = await placeFor(deps, message)
      if (typeof place === "string") return this.log.debug({ messageId: message.id, skip: place }, "Discord message ignored")
      await this.deliver(await toMessageEvent(deps, message, place))
    }
    if (recovered) this.inbox.pushRecovered(message.channelId, task)
    else this.inbox.push(message.channelId, task)
  }

  private acceptReaction(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, added: boolean): void {
    const deps = this.deps
    if (!deps || user.id === deps.client.user.id) return
    this.inbox.push(reaction.message.channelId, async () => {
      const event = await toReactionEvent(deps, reaction, user, added)
      if (event) await this.deliver(event)
    })
  }

  private async deliver(event: ChatEvent): Promise<void> {
    await this.sink?.(event)
  }
}

const where = (t: ThreadAddress) => `channel ${t.channel}${t.thread ? ` (thread ${t.thread})` : ""}`
