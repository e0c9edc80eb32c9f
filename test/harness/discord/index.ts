// Entry point: `startFakeDiscord(options)` listens on 127.0.0.1 (port 0) with REST under
// /api/v10 and the Gateway on the same port, and returns the test-facing API: build the world,
// act as people (post, react, click, run commands), read what people see, inspect traffic and
// stats, await state with `waitFor`, and steer the gateway, the rate limiter and faults.
// Facts and knobs are described in ./README.md.
import type { AddressInfo } from "node:net"
import type { Upload } from "./attachments.ts"
import { autocomplete, click, select, slashCommand, type CommandUse, type ComponentRef } from "./clicks.ts"
import { listCommands } from "./commands.ts"
import { GatewayHub, type GatewayStats } from "./gateway.ts"
import { createThreadAs, deleteAs, editAs, postAs, postAsWebhook, reactAs, typeAs, type HumanPost, type HumanThread } from "./humans.ts"
import type { PrivilegedIntents } from "./intents.ts"
import { InteractionHub } from "./interactions.ts"
import type { RateLimitTable } from "./limits.ts"
import type { ChannelAccess } from "./permissions.ts"
import { RateLimiter, type RateLimitStats, type RouteMatch } from "./rate-limit.ts"
import { reactionsOf } from "./reactions.ts"
import { updateThread } from "./threads.ts"
import { createFakeServer, type Fault, type RequestRecord } from "./server.ts"
import { FakeState, type ReactionRecord, type TypingRecord } from "./state.ts"
import { iso, randomToken, type ChannelRecord, type Json, type MemberRecord, type RoleRecord } from "./types.ts"
import { interactionView, messageView, type InteractionView, type MessageView } from "./views.ts"
import { buildStats, describeRecent, type Stats } from "./stats.ts"
import { waitForState } from "./wait.ts"
import { addChannel, addGuild, addMember, addRole, addUser, dmChannel, makeUser, setChannelAccess, type NewChannel } from "./world.ts"

export type { ChannelAccess, ChannelRecord, CommandUse, ComponentRef, GatewayStats, HumanPost, HumanThread, InteractionView, Json }
export type { MemberRecord, MessageView, PrivilegedIntents, RateLimitStats, RateLimitTable, ReactionRecord, RequestRecord }
export type { RoleRecord, RouteMatch, Stats, TypingRecord, Upload, NewChannel }
export { DEFAULT_RATE_LIMITS, MESSAGE_LIMITS, TIME_LIMITS } from "./limits.ts"
export { INTENTS } from "./intents.ts"
export { PERMISSIONS } from "./permissions.ts"

export interface FakeDiscordOptions {
  /** Username of the bot user; default "switchboard". */
  botUsername?: string
  /** The developer-portal toggles; default messageContent on, guildMembers and presences off. */
  privilegedIntents?: Partial<PrivilegedIntents>
  /** HELLO's heartbeat_interval; default 1000 ms (Discord: ~41 s). */
  heartbeatIntervalMs?: number
  /** How long an interaction waits for its callback; default 3000 ms, Discord's deadline. */
  interactionDeadlineMs?: number
  /** `false` disables REST limits; a partial table overrides rules (e.g. shorter windows). Default: limits.ts. */
  rateLimits?: boolean | Partial<RateLimitTable>
}

/** Anything with an id, or the id itself. */
export type IdLike = string | { id: string }
const idOf = (x: IdLike) => (typeof x === "string" ? x : x.id)

export interface UserHandle {
  id: string
  username: string
  globalName: string | null
  bot: boolean
}

export interface GuildHandle {
  id: string
  name: string
  /** `@everyone`'s id equals the guild id. */
  everyoneRoleId: string
  /** The bot's managed role. */
  botRoleId: string
}

export interface FakeDiscord {
  /** `http://127.0.0.1:PORT/api`: what discord.js's `rest.api` wants (no `/v10`, trap 16). */
  readonly apiUrl: string
  /** `http://127.0.0.1:PORT`. */
  readonly url: string
  /** `ws://127.0.0.1:PORT`, as `GET /gateway/bot` and READY's `resume_gateway_url` say. */
  readonly gatewayUrl: string
  readonly bot: { id: string; username: string; token: string; applicationId: string }

  addUser(input: { username: string; globalName?: string; bot?: boolean }): UserHandle
  /**
   * A guild the bot is in, with `@everyone`, the bot's managed role and the bot and owner as members
   * (owner default: a new user "<name>-owner"). Added after login it arrives as GUILD_CREATE.
   */
  addGuild(input: { name: string; owner?: IdLike; botPermissions?: bigint }): GuildHandle
  /** A role (permissions default 0, mentionable default true); GUILD_ROLE_CREATE. */
  addRole(guild: IdLike, input: { name: string; permissions?: bigint; mentionable?: boolean }): RoleRecord
  /** Makes a user a member (with role ids); GUILD_MEMBER_ADD to sessions with GuildMembers. */
  addMember(guild: IdLike, user: IdLike, input?: { roles?: IdLike[]; nick?: string }): MemberRecord
  /** A channel (`type` default "text"; "forum" for forum posts); CHANNEL_CREATE after login. */
  addChannel(guild: IdLike, input: NewChannel): ChannelRecord
  /** "none" → 50001 for the bot, "read-only" → 50013 on writes (a member overwrite, announced as CHANNEL_UPDATE). */
  setChannelAccess(channel: IdLike, access: ChannelAccess): ChannelRecord
  /** The bot's DM channel with a user (type 1), created on first use, never announced. */
  dm(user: IdLike): ChannelRecord
  /** Archives (optionally locks) a thread as Discord's auto-archive would; announced as THREAD_UPDATE. */
  archiveThread(threadId: string, opts?: { locked?: boolean }): ChannelRecord

  /** A person posts; `<@BOT_ID>` in content mentions the bot. Dispatched exactly like Discord. */
  postAs(user: IdLike, post: HumanPost): MessageView
  /** An incoming webhook posts (author = the webhook, `webhook_id` set); dispatched like Discord. */
  postAsWebhook(input: { channelId: string; content: string; username: string }): MessageView
  editAs(user: IdLike, channelId: string, messageId: string, content: string): MessageView
  deleteAs(user: IdLike, channelId: string, messageId: string): void
  reactAs(user: IdLike, channelId: string, messageId: string, emoji: string): void
  unreactAs(user: IdLike, channelId: string, messageId: string, emoji: string): void
  typeAs(user: IdLike, channelId: string): void
  /** A person starts a thread (from `messageId` or not) or, in a forum, a post with `content`. */
  createThreadAs(user: IdLike, input: HumanThread): { thread: ChannelRecord; starter: MessageView | null }
  /** Clicks a button that exists on the message; resolves when answered or failed (deadline). */
  click(user: IdLike, ref: ComponentRef): Promise<InteractionView>
  select(user: IdLike, ref: ComponentRef & { values: string[] }): Promise<InteractionView>
  /** Runs a registered command (guild command of the channel's guild, else global). */
  slashCommand(user: IdLike, use: CommandUse & { guildId?: string }): Promise<InteractionView>
  autocomplete(user: IdLike, use: CommandUse & { guildId?: string; focused: string }): Promise<InteractionView>

  /** What people see in a channel (or thread), oldest first: no deleted, no ephemeral messages. */
  messages(channelId: string): MessageView[]
  /** One message, deleted or ephemeral ones included. */
  message(channelId: string, id: string): MessageView | undefined
  /** Threads (and forum posts) of a channel, oldest first. */
  threads(channelId: string): ChannelRecord[]
  channel(id: string): ChannelRecord | undefined
  /** Ephemeral messages only this user sees. */
  ephemerals(user: IdLike): MessageView[]
  interactions(): InteractionView[]
  interaction(id: string): InteractionView | undefined
  /** Registered commands: of a guild, or global without `guildId`. */
  commands(guildId?: string): Json[]
  typing(): TypingRecord[]
  reactions(channelId: string, messageId: string): ReactionRecord[]
  requests(): RequestRecord[]
  stats(): Stats
  /** Resolves with the predicate's first truthy value, re-checked on every state change (default 30 s). */
  waitFor<T>(predicate: (fake: FakeDiscord) => T | undefined | null | false, opts?: { timeoutMs?: number; what?: string }): Promise<T>

  /** op 7 to every connection (discord.js RESUMEs on a new socket). Returns the number of sockets. */
  requestReconnect(): number
  /** op 9; `resumable: false` forgets the sessions, so discord.js re-IDENTIFYs (identify throttle ~5 s, trap 18). */
  invalidateSession(resumable: boolean): number
  /** Closes the sockets: abruptly (1006) without a code, else with it (4000 → discord.js RESUMEs). */
  dropGateway(opts?: { code?: number }): number
  /** While true, gateway upgrades get 503. */
  refuseGateway(refused: boolean): void
  /** false = heartbeats are not ACKed, so discord.js declares a zombie connection and RESUMEs. */
  setHeartbeatAck(ack: boolean): void
  /** Trap 24: answers the next RESUME with RESUMED and op 9 in one write (README "Trap 24"). */
  raceInvalidSessionWithResumed(): void
  setPrivilegedIntents(p: Partial<PrivilegedIntents>): void

  /** The next `count` matching bot requests get a 429 (counted in `stats().rateLimited.forced`). */
  forceRateLimit(opts: { route?: RouteMatch; count: number; retryAfterMs: number; global?: boolean }): void
  setRateLimits(setting: boolean | Partial<RateLimitTable>): void
  /** The next `count` (default 1) matching requests fail with `status` (default 500). */
  failNext(opts?: { route?: RouteMatch; count?: number; status?: number }): void
  /** Makes a message `ageMs` old (edits past 1 h hit the old-message limit, 30046). */
  ageMessage(channelId: string, messageId: string, ageMs: number): void
  /** Makes an interaction `ageMs` old (its token expires after 15 min). */
  ageInteraction(id: string, ageMs: number): void
  setInteractionDeadline(ms: number): void
  close(): Promise<void>
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const botUser = makeUser({ username: options.botUsername ?? "switchboard", bot: true })
  const token = `${Buffer.from(botUser.id).toString("base64url")}.${randomToken(5)}.${randomToken(27)}`
  const privileged = { messageContent: true, guildMembers: false, presences: false, ...options.privilegedIntents }
  const state = new FakeState({ bot: botUser, botToken: token, privileged })
  const interactions = new InteractionHub(state, options.interactionDeadlineMs)
  const gateway = new GatewayHub(state, options.heartbeatIntervalMs)
  const limiter = new RateLimiter()
  if (options.rateLimits !== undefined) limiter.configure(options.rateLimits)
  const faults: Fault[] = []
  const log: RequestRecord[] = []
  const server = createFakeServer({ state, limiter, interactions, gateway, faults, log })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.baseUrl = url

  const userHandle = (id: string): UserHandle => {
    const u = state.requireUser(id)
    return { id: u.id, username: u.username, globalName: u.global_name, bot: u.bot }
  }
  const view = (id: string) => {
    const m = state.messages.get(id)
    if (!m) throw new Error(`fake-discord: no message ${id}`)
    return messageView(state, m)
  }
  const iview = async (p: Promise<{ id: string }>) => interactionView(state, state.interactions.get((await p).id)!)

  const fake: FakeDiscord = {
    apiUrl: `${url}/api`,
    url,
    gatewayUrl: url.replace(/^http/, "ws"),
    bot: { id: botUser.id, username: botUser.username, token, applicationId: state.applicationId },

    addUser: (input) => userHandle(addUser(state, input).id),
    addGuild: (input) => {
      const g = addGuild(state, { name: input.name, ownerId: input.owner && idOf(input.owner), botPermissions: input.botPermissions })
      return { id: g.id, name: g.name, everyoneRoleId: g.id, botRoleId: g.roles[1]!.id }
    },
    addRole: (guild, input) => structuredClone(addRole(state, idOf(guild), input)),
    addMember: (guild, user, input = {}) => structuredClone(addMember(state, idOf(guild), idOf(user), { roles: input.roles?.map(idOf), nick: input.nick })),
    addChannel: (guild, input) => structuredClone(addChannel(state, idOf(guild), input)),
    setChannelAccess: (channel, access) => structuredClone(setChannelAccess(state, idOf(channel), access)),
    dm: (user) => structuredClone(dmChannel(state, idOf(user))),
    archiveThread: (threadId, opts = {}) => {
      const thread = state.requireChannel(threadId)
      if (!state.isThread(thread)) throw new Error(`fake-discord: ${threadId} is not a thread`)
      return structuredClone(updateThread(state, thread, { archived: true, locked: opts.locked ?? false }))
    },

    postAs: (user, post) => view(postAs(state, idOf(user), post).wire.id),
    postAsWebhook: (input) => view(postAsWebhook(state, input).wire.id),
    editAs: (user, channelId, messageId, content) => view(editAs(state, idOf(user), channelId, messageId, content).wire.id),
    deleteAs: (user, channelId, messageId) => deleteAs(state, idOf(user), channelId, messageId),
    reactAs: (user, channelId, messageId, emoji) => reactAs(state, idOf(user), channelId, messageId, emoji, true),
    unreactAs: (user, channelId, messageId, emoji) => reactAs(state, idOf(user), channelId, messageId, emoji, false),
    typeAs: (user, channelId) => typeAs(state, idOf(user), channelId),
    createThreadAs: (user, input) => {
      const { thread, starter } = createThreadAs(state, idOf(user), input)
      return { thread: structuredClone(thread), starter: starter ? view(starter.wire.id) : null }
    },
    click: (user, ref) => iview(click(state, interactions, idOf(user), ref)),
    select: (user, ref) => iview(select(state, interactions, idOf(user), ref)),
    slashCommand: (user, use) => {
      checkGuild(state.requireChannel(use.channelId), use.guildId)
      return iview(slashCommand(state, interactions, idOf(user), use))
    },
    autocomplete: (user, use) => {
      checkGuild(state.requireChannel(use.channelId), use.guildId)
      return iview(autocomplete(state, interactions, idOf(user), use))
    },

    messages: (channelId) => state.channelMessages(channelId).filter((m) => !m.deleted && !m.ephemeralTo).map((m) => messageView(state, m)),
    message: (channelId, id) => {
      const m = state.messages.get(id)
      return m && m.wire.channel_id === channelId ? messageView(state, m) : undefined
    },
    threads: (channelId) => [...state.channels.values()].filter((c) => c.parent_id === channelId && state.isThread(c)).map((c) => structuredClone(c)),
    channel: (id) => {
      const c = state.channels.get(id)
      return c && structuredClone(c)
    },
    ephemerals: (user) => [...state.messages.values()].filter((m) => m.ephemeralTo === idOf(user) && !m.deleted).map((m) => messageView(state, m)),
    interactions: () => [...state.interactions.values()].map((i) => interactionView(state, i)),
    interaction: (id) => {
      const i = state.interactions.get(id)
      return i && interactionView(state, i)
    },
    commands: (guildId) => listCommands(state, guildId ?? null),
    typing: () => structuredClone(state.typing),
    reactions: (channelId, messageId) => reactionsOf(state, state.requireMessage(channelId, messageId)),
    requests: () => structuredClone(log),
    stats: () => buildStats(state, limiter, gateway, log),
    waitFor: (predicate, opts = {}) => waitForState(state, () => predicate(fake), opts, () => describeRecent(gateway.stats(), log)),

    requestReconnect: () => gateway.requestReconnect(),
    invalidateSession: (resumable) => gateway.invalidateSession(resumable),
    dropGateway: (opts) => gateway.drop(opts),
    refuseGateway: (refused) => {
      gateway.refused = refused
    },
    setHeartbeatAck: (ack) => {
      gateway.ackHeartbeats = ack
    },
    raceInvalidSessionWithResumed: () => gateway.armResumeRace(),
    setPrivilegedIntents: (p) => {
      state.privileged = { ...state.privileged, ...p }
    },

    forceRateLimit: (opts) => limiter.force(opts),
    setRateLimits: (setting) => limiter.configure(setting),
    failNext: (opts = {}) => {
      faults.push({ remaining: opts.count ?? 1, status: opts.status ?? 500, match: opts.route })
    },
    ageMessage: (channelId, messageId, ageMs) => {
      const m = state.messages.get(messageId)
      if (!m || m.wire.channel_id !== channelId) throw new Error(`fake-discord: no message ${messageId} in ${channelId}`)
      m.createdAt = Date.now() - ageMs
      m.wire.timestamp = iso(m.createdAt)
      state.changed()
    },
    ageInteraction: (id, ageMs) => {
      const i = state.interactions.get(id)
      if (!i) throw new Error(`fake-discord: no interaction ${id}`)
      i.createdAt = Date.now() - ageMs
      state.changed()
    },
    setInteractionDeadline: (ms) => {
      interactions.deadlineMs = ms
    },
    close: async () => {
      interactions.close()
      limiter.clearForced()
      await gateway.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return fake
}

function checkGuild(channel: ChannelRecord, guildId: string | undefined): void {
  if (guildId !== undefined && channel.guild_id !== guildId) {
    throw new Error(`fake-discord: channel ${channel.id} is not in guild ${guildId}`)
  }
}
