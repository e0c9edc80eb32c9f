// REST routes for identity and places: gateway info, the bot user and application, users, DMs,
// the bot's guilds, guilds (members, member search, roles, channels, active threads) and
// channels (get, patch, delete). Each handler checks access, calls the state, and returns
// Discord's JSON shape.
import { errors } from "./errors.ts"
import { ok, route, str, type Route } from "./http.ts"
import { applicationFlags } from "./intents.ts"
import { GATEWAY_LIMITS } from "./limits.ts"
import { channelWire, guildWire, memberWire, userWire } from "./payloads.ts"
import { PERMISSIONS } from "./permissions.ts"
import { deleteThread, updateThread } from "./threads.ts"
import { CHANNEL_TYPES } from "./types.ts"
import { dmChannel } from "./world.ts"

export const coreRoutes: Route[] = [
  route("GET", "/gateway", ({ state }) => ok({ url: state.baseUrl.replace(/^http/, "ws") }), { auth: "none" }),
  route("GET", "/gateway/bot", ({ state }) =>
    ok({
      url: state.baseUrl.replace(/^http/, "ws"),
      shards: 1,
      session_start_limit: {
        total: GATEWAY_LIMITS.sessionStarts,
        remaining: Math.max(0, GATEWAY_LIMITS.sessionStarts - state.identifies),
        reset_after: GATEWAY_LIMITS.sessionStartResetMs,
        max_concurrency: GATEWAY_LIMITS.maxConcurrency,
      },
    }),
  ),
  route("GET", "/users/@me", ({ state }) => ok(userWire(state.bot))),
  route("GET", "/users/:userId", ({ state, params }) => ok(userWire(state.requireUser(params.userId!)))),
  route("POST", "/users/@me/channels", ({ state, body }) => {
    const recipient = str(body.json.recipient_id)
    if (!recipient) throw errors.unknownUser()
    return ok(channelWire(dmChannel(state, recipient)))
  }),
  route("GET", "/applications/@me", ({ state }) =>
    ok({
      id: state.applicationId,
      name: state.bot.username,
      icon: null,
      description: "",
      summary: "",
      type: null,
      bot_public: true,
      bot_require_code_grant: false,
      verify_key: "0".repeat(64),
      flags: applicationFlags(state.privileged),
      bot: userWire(state.bot),
      owner: userWire(state.bot),
      team: null,
      approximate_guild_count: state.guilds.size,
      integration_types_config: { "0": {} },
    }),
  ),
  route("GET", "/users/@me/guilds", ({ state }) =>
    ok([...state.guilds.values()].map((g) => ({ id: g.id, name: g.name, icon: null, owner: false, permissions: "0", features: [] }))),
  ),
  route("GET", "/guilds/:guildId", ({ state, params }) => ok(guildWire(state, state.requireGuild(params.guildId!)))),
  // Before `members/:userId`, which would otherwise take "search" for a user id.
  route("GET", "/guilds/:guildId/members/search", ({ state, params, query }) => {
    const guild = state.requireGuild(params.guildId!)
    const q = (query.get("query") ?? "").toLowerCase()
    const limit = Math.min(1000, Math.max(1, Number(query.get("limit") ?? 1) || 1))
    const found = [...state.members.values()].filter((m) => {
      if (m.guild_id !== guild.id) return false
      const u = state.users.get(m.user_id)
      return Boolean(u && (u.username.toLowerCase().startsWith(q) || (u.global_name ?? "").toLowerCase().startsWith(q) || (m.nick ?? "").toLowerCase().startsWith(q)))
    })
    return ok(found.slice(0, limit).map((m) => memberWire(state, m)))
  }),
  route("GET", "/guilds/:guildId/members/:userId", ({ state, params }) => {
    state.requireGuild(params.guildId!)
    return ok(memberWire(state, state.requireMember(params.guildId!, params.userId!)))
  }),
  route("GET", "/guilds/:guildId/roles", ({ state, params }) => ok(structuredClone(state.requireGuild(params.guildId!).roles))),
  route("GET", "/guilds/:guildId/channels", ({ state, params }) => {
    const guild = state.requireGuild(params.guildId!)
    return ok([...state.channels.values()].filter((c) => c.guild_id === guild.id && !state.isThread(c)).map(channelWire))
  }),
  route("GET", "/guilds/:guildId/threads/active", ({ state, params }) => {
    const guild = state.requireGuild(params.guildId!)
    const threads = [...state.channels.values()].filter((c) => c.guild_id === guild.id && state.isThread(c) && !c.thread_metadata?.archived)
    return ok({ threads: threads.map(channelWire), members: [] })
  }),
  route("GET", "/channels/:channelId", ({ state, params }) => {
    const channel = state.requireChannel(params.channelId!)
    state.requireBotPermission(channel)
    return ok(channelWire(channel))
  }),
  route("PATCH", "/channels/:channelId", ({ state, params, body }) => {
    const channel = state.requireChannel(params.channelId!)
    state.requireBotPermission(channel)
    if (state.isThread(channel)) {
      if (channel.owner_id !== state.bot.id) state.requireBotPermission(channel, PERMISSIONS.manageThreads)
      return ok(channelWire(updateThread(state, channel, body.json)))
    }
    throw errors.missingPermissions() // the bot is not given Manage Channels
  }),
  route("DELETE", "/channels/:channelId", ({ state, params }) => {
    const channel = state.requireChannel(params.channelId!)
    state.requireBotPermission(channel)
    if (channel.type === CHANNEL_TYPES.dm) return ok(channelWire(channel))
    if (!state.isThread(channel)) throw errors.missingPermissions()
    state.requireBotPermission(channel, PERMISSIONS.manageThreads)
    deleteThread(state, channel)
    return ok(channelWire(channel))
  }),
]
