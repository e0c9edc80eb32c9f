// The conversation service: the sink every adapter delivers ChatEvents to. It keeps one
// Conversation per bound thread, handles each thread's events one at a time (so two quick
// messages cannot both start a turn), and on start re-attaches bindings, resumes in-flight
// turns into the messages they already posted, and closes requests the runtime forgot.
import { KeyedSerial } from "../../chat/keyed-serial.ts"
import type { ChatEvent, ChatReply, ChatSink } from "../../chat/types.ts"
import type { RestoredSlot } from "../../delivery/turn-stream.ts"
import { contentKey } from "../../delivery/outbox.ts"
import { findOwnPost } from "../../delivery/find-post.ts"
import type { Binding } from "../../storage/bindings.ts"
import type { TurnRecord } from "../../storage/turns.ts"
import type { SessionRef } from "../../runtime/resync.ts"
import type { Verbosity } from "../../delivery/render/blocks.ts"
import { Conversation } from "./conversation.ts"
import type { ConversationContext, ConversationDeps } from "./context.ts"
import type { Surface } from "./host.ts"
import { onMessage } from "./inbound.ts"
import { isMenuAction, menuPick } from "./menus.ts"
import { drain } from "./sending.ts"
import { TurnRun } from "./turn-run.ts"
import { Emitter } from "../store/emitter.ts"

/** What the service announces (metrics, tests, operators). */
export interface ConversationEvents {
  "turn.started": [thread: string, turn: TurnRecord]
  "turn.finished": [thread: string, turn: TurnRecord, state: "done" | "failed"]
  "session.bound": [thread: string, sessionID: string]
  /** A turn's first message became visible, `ms` after its prompt was sent. */
  "turn.visible": [thread: string, turn: TurnRecord, ms: number]
}

const VERBOSITIES = new Set<Verbosity>(["text", "essential", "all"])

export class Conversations implements ConversationContext {
  readonly conversations = new Map<string, Conversation>()
  readonly events: Emitter<ConversationEvents>
  readonly client: ConversationDeps["client"]
  readonly store: ConversationDeps["store"]
  readonly router: ConversationDeps["router"]
  readonly repos: ConversationDeps["repos"]
  readonly interactions: ConversationDeps["interactions"]
  readonly access: ConversationDeps["access"]
  readonly consent: ConversationDeps["consent"]
  readonly settings: ConversationDeps["settings"]
  readonly log: ConversationDeps["log"]
  readonly refresh: ConversationDeps["refresh"]
  readonly runtimeConnected: ConversationDeps["runtimeConnected"]
  private readonly surfaces = new Map<string, Surface>()
  private readonly chains = new KeyedSerial()
  private readonly clock: () => number

  constructor(deps: ConversationDeps) {
    this.client = deps.client
    this.store = deps.store
    this.router = deps.router
    this.repos = deps.repos
    this.interactions = deps.interactions
    this.access = deps.access
    this.consent = deps.consent
    this.settings = deps.settings
    this.log = deps.log
    this.refresh = deps.refresh
    this.runtimeConnected = deps.runtimeConnected
    this.clock = deps.now ?? (() => Date.now())
    this.events = new Emitter<ConversationEvents>((err) => this.log.error({ err }, "a conversation listener threw"))
    // After a runtime reconnect (its resync applied), prompts that waited for it go out.
    this.store.events.on("server.connected", () => {
      if (this.recovered) queueMicrotask(() => this.drainAll())
    })
  }

  private recovered = false

  /** Sends the next queued prompt of every thread that has one and is free. */
  private drainAll(): void {
    for (const thread of this.repos.queue.threads()) {
      const conv = this.conversations.get(thread)
      if (conv) void this.serial(thread, () => drain(this, conv))
    }
  }

  now(): number {
    return this.clock()
  }

  /** Registers a platform; returns the sink its adapter delivers events to. */
  addSurface(surface: Surface): ChatSink {
    this.surfaces.set(surface.platform, surface)
    return (event) => this.handle(surface, event)
  }

  async handle(surface: Surface, event: ChatEvent): Promise<ChatReply | void> {
    // Bot-loop guard: other bots, webhooks (and we ourselves) are ignored unless explicitly allowed.
    if (event.user.isBot && !this.access.isAllowedBot(event.user, event.platform)) return
    if (event.id && !this.repos.seen.first(surface.platform, `${event.kind}:${event.id}`, this.now())) return
    const run = async () => {
      try {
        return await this.dispatch(surface, event)
      } catch (err) {
        this.log.error({ err, kind: event.kind, thread: event.thread }, "handling a chat event failed")
        return { ephemeral: `Something went wrong while handling that: ${(err as Error).message}` }
      }
    }
    // Clicks and reactions only answer interactions, which are won once in one conditional
    // UPDATE: they never wait behind a prompt that is creating a session or downloading files.
    const reply = event.kind === "action" || event.kind === "reaction" ? await run() : await this.serial(event.thread, run)
    if (!reply?.ephemeral) return reply
    // Where the adapter acknowledged at once and left a response channel, the answer goes
    // through it (no edit budget, only the actor sees it). Otherwise a click's answer rides in
    // the platform's response to it, and any other private answer is an outbox call.
    const respond = event.kind === "action" || event.kind === "command" ? event.respond : undefined
    if (respond) {
      const text = reply.ephemeral
      void respond.ephemeral(text).catch((err: unknown) => {
        this.log.warn({ err, kind: event.kind, thread: event.thread }, "could not answer through the platform's response channel; posting the note instead")
        surface.outbox.ephemeral(event.thread, event.user.id, text)
      })
      return {}
    }
    if (event.kind !== "action") surface.outbox.ephemeral(event.thread, event.user.id, reply.ephemeral)
    return reply
  }

  private async dispatch(surface: Surface, event: ChatEvent): Promise<ChatReply | void> {
    const conv = this.conversations.get(event.thread)
    switch (event.kind) {
      case "message":
        return onMessage(this, surface, event)
      case "action": {
        if (!isMenuAction(event.actionId)) return this.interactions.onAction(conv, event)
        // A menu click is the command it stands for, typed by the clicker.
        const pick = menuPick(this.repos.menus, event, this.now())
        if (!pick.ok) return { ephemeral: pick.why }
        return this.serial(event.thread, () =>
          onMessage(this, surface, { ...event, kind: "message", message: "", text: `${this.settings.commandPrefix}${pick.command} ${pick.arg}`, files: [], mentioned: true, threadStart: false }),
        )
      }
      case "reaction":
        return conv ? this.interactions.onReaction(conv, event) : undefined
      case "command":
        // A platform slash command is the same as the prefixed text command.
        return onMessage(this, surface, {
          ...event,
          kind: "message",
          message: "",
          text: `${this.settings.commandPrefix}${event.name} ${event.args}`.trim(),
          files: [],
          mentioned: true,
          threadStart: event.threadStart ?? false,
        })
    }
  }

  /** Runs `fn` after everything queued for the same thread. */
  private serial<T>(thread: string, fn: () => Promise<T>): Promise<T> {
    return this.chains.run(thread, fn)
  }

  notify(surface: Surface, thread: string, text: string): void {
    surface.outbox.slot({ thread, priority: "first", label: "notice" }).set({ text })
  }

  adopt(binding: Binding, surface: Surface): Conversation {
    const existing = this.conversations.get(binding.thread)
    if (existing) return existing
    const conv = new Conversation(binding, surface, {
      router: this.router,
      interactions: this.interactions,
      hooks: {
        idle: (c) => void this.serial(c.thread, () => drain(this, c)),
        deleted: (c) => this.log.info({ thread: c.thread, session: c.sessionID }, "the bound session was deleted on the runtime"),
      },
    })
    this.conversations.set(binding.thread, conv)
    conv.attach()
    this.events.emit("session.bound", binding.thread, binding.sessionID)
    return conv
  }

  newRun(conv: Conversation, record: TurnRecord, restore?: RestoredSlot[]): TurnRun {
    this.events.emit("turn.started", conv.thread, record)
    return new TurnRun(
      conv,
      record,
      {
        store: this.store,
        turns: this.repos.turns,
        log: this.log,
        now: () => this.now(),
        verbosity: () => {
          const v = this.repos.channels.get(conv.binding.platform, conv.channel)?.verbosity as Verbosity | undefined
          return v && VERBOSITIES.has(v) ? v : this.settings.verbosity
        },
        typingIntervalMs: this.settings.typingIntervalMs,
        ...(this.runtimeConnected ? { connected: this.runtimeConnected } : {}),
        startTimeoutMs: this.settings.startTimeoutMs,
        maxProviderRetries: this.settings.maxProviderRetries,
        abort: async (run) => void (await this.client.sessions.abort(conv.binding.directory, run.sessionID)),
        confirmStarted: async (run) => {
          const messages = await this.client.sessions.messages(conv.binding.directory, run.sessionID, { limit: 10 })
          const found = messages.some((m) => m.info.id === run.record.userMessageID)
          if (found) await this.refresh?.(run.sessionID, conv.binding.directory)
          return found
        },
        onVisible: (run, ms) => this.events.emit("turn.visible", conv.thread, run.record, ms),
        onFinished: (run, state) => {
          if (conv.run === run) conv.run = undefined
          this.events.emit("turn.finished", conv.thread, run.record, state)
          void this.serial(conv.thread, () => drain(this, conv))
        },
      },
      restore ? { slots: restore } : undefined,
    )
  }

  directoryFor(platform: string, channel: string): string {
    return this.repos.channels.get(platform, channel)?.directory ?? this.settings.defaultDirectory
  }

  // --- start-up and shutdown ----------------------------------------------------------

  /** Follows every stored binding whose platform is connected. */
  attachAll(): void {
    for (const binding of this.repos.bindings.all()) {
      const surface = this.surfaces.get(binding.platform)
      if (surface) this.adopt(binding, surface)
      else this.log.warn({ thread: binding.thread, platform: binding.platform }, "binding for a platform that is not configured; left alone")
    }
  }

  /** Directories the runtime resync must cover. */
  directories(): string[] {
    return [...new Set([this.settings.defaultDirectory, ...[...this.conversations.values()].map((c) => c.binding.directory)])]
  }

  /** Sessions whose messages a resync must refetch: every turn still streaming. */
  sessionsOfInterest(): SessionRef[] {
    return this.repos.turns.active().flatMap((t) => {
      const conv = this.conversations.get(t.thread)
      return conv ? [{ id: t.sessionID, directory: conv.binding.directory }] : []
    })
  }

  /** After the first resync: resume in-flight turns, close forgotten requests, send queued follow-ups. */
  async recover(): Promise<void> {
    for (const turn of this.repos.turns.active()) {
      const conv = this.conversations.get(turn.thread)
      if (!conv || conv.sessionID !== turn.sessionID || conv.run) {
        this.repos.turns.finish(turn.id, "failed", this.now())
        continue
      }
      const restore: RestoredSlot[] = []
      for (const p of this.repos.turns.posted(turn.id)) {
        let ref = p.ref
        if (ref === "") {
          // We crashed between asking for this post and learning its id: find it, or post again.
          const taken = new Set(restore.map((r) => r.ref))
          ref = (await findOwnPost(conv.surface.adapter, conv.thread, p.sentText ?? "", p.postedAt, this.log, taken)) ?? ""
          if (ref) this.repos.turns.adopt(turn.id, p.slot, ref)
          else {
            this.repos.turns.forget(turn.id, p.slot)
            continue
          }
        }
        restore.push({
          index: p.slot,
          ref,
          sentKey: p.sentHash ?? (p.sentText !== undefined ? contentKey({ text: p.sentText }) : undefined),
          ...(p.sentText !== undefined ? { sentText: p.sentText } : {}),
        })
      }
      const run = this.newRun(conv, turn, restore)
      conv.run = run
      run.begin()
      run.check()
      this.log.info({ thread: conv.thread, turn: turn.id, messages: restore.length }, "resumed an in-flight turn")
    }
    const pending = this.store.pending()
    const live = new Set([...pending.permissions, ...pending.questions].map((r) => r.id))
    const closed = this.interactions.reconcile(live, (thread) => this.conversations.get(thread))
    if (closed > 0) this.log.info({ closed }, "closed requests the runtime no longer has")
    this.recovered = true
    this.drainAll()
  }

  /**
   * The platform deleted a thread: its delivery has stopped (the outbox saw to that). A turn
   * still running there is stopped on the runtime too — nobody can read it any more.
   */
  threadGone(thread: string): void {
    const conv = this.conversations.get(thread)
    const run = conv?.run
    if (!conv || !run) return
    this.log.info({ thread, session: conv.sessionID }, "the thread was deleted while an answer streamed; stopping that turn")
    run.suspend()
    this.repos.queue.clear(thread)
    void run.finish("failed")
    void this.client.sessions.abort(conv.binding.directory, conv.sessionID).catch((err: unknown) => this.log.warn({ err, thread }, "could not stop the turn of a deleted thread"))
  }

  /** Stops following sessions; running turns resume after the next start. */
  stop(): void {
    for (const conv of this.conversations.values()) {
      conv.run?.suspend()
      conv.detach()
    }
  }
}
