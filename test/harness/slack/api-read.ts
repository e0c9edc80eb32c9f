// Web API methods that read the workspace or open sessions: auth.test (granted scopes in the
// `x-oauth-scopes` header), apps.connections.open (app token; a Socket Mode URL on the fake),
// conversations.info / history / replies (oldest/latest/inclusive/limit/cursor paging) / open /
// list, users.info / list (cursor paging), usergroups.list, usergroups.users.list and bots.info.
import type { MethodTable } from "./api.ts"
import { wireMessage } from "./events.ts"
import { bool, str } from "./http.ts"
import { LIMITS } from "./limits.ts"
import type { FakeState } from "./state.ts"
import { SlackError, tsNumber, type Channel, type Json, type Message, type User } from "./types.ts"

const READ_SCOPE = { public: "channels:read", private: "groups:read", im: "im:read", mpim: "mpim:read" } as const
const HISTORY_SCOPE = { public: "channels:history", private: "groups:history", im: "im:history", mpim: "mpim:history" } as const

const scopeBy = (table: Record<Channel["type"], string>) => (state: FakeState, args: Json) => {
  const c = state.channels.get(str(args.channel) ?? "")
  return c ? table[c.type] : undefined
}

export function channelObject(state: FakeState, c: Channel): Json {
  const out: Json = {
    id: c.id,
    created: c.created,
    is_archived: false,
    is_im: c.type === "im",
    is_mpim: c.type === "mpim",
    is_private: c.type !== "public",
    context_team_id: state.team.id,
  }
  if (c.type === "im") return { ...out, user: [...c.members].find((m) => m !== state.bot.userId) ?? state.bot.userId, is_open: true }
  return {
    ...out,
    name: c.name,
    name_normalized: c.name,
    is_channel: c.type === "public" || c.type === "private",
    is_group: c.type === "private",
    is_general: false,
    is_shared: false,
    is_org_shared: false,
    is_member: c.members.has(state.bot.userId),
    creator: c.creator,
    num_members: c.members.size,
    topic: { value: "", creator: "", last_set: 0 },
    purpose: { value: "", creator: "", last_set: 0 },
  }
}

export function userObject(state: FakeState, u: User): Json {
  return {
    id: u.id,
    team_id: state.team.id,
    name: u.name,
    real_name: u.realName,
    deleted: false,
    is_admin: u.isAdmin,
    is_owner: false,
    is_bot: u.isBot,
    is_app_user: false,
    tz: "Etc/UTC",
    tz_offset: 0,
    profile: {
      real_name: u.realName,
      display_name: u.name,
      email: u.isBot ? undefined : `${u.name}@example.test`,
      bot_id: u.botId,
      team: state.team.id,
      image_72: `${state.baseUrl}/avatars/${u.id}.png`,
    },
  }
}

const encodeCursor = (ts: string) => Buffer.from(`next_ts:${ts}`).toString("base64")
function decodeCursor(cursor: unknown): string | undefined {
  if (typeof cursor !== "string" || cursor === "") return undefined
  const text = Buffer.from(cursor, "base64").toString("utf8")
  if (!text.startsWith("next_ts:")) throw new SlackError("invalid_cursor")
  return text.slice("next_ts:".length)
}

/** Filters by oldest/latest (exclusive unless `inclusive`), continues after a cursor, pages by `limit`. */
function page(state: FakeState, list: Message[], args: Json, newestFirst: boolean): Json {
  const inclusive = bool(args.inclusive)
  const oldest = str(args.oldest)
  const latest = str(args.latest)
  const after = decodeCursor(args.cursor)
  const inRange = (m: Message) => {
    const t = tsNumber(m.ts)
    if (oldest && (inclusive ? t < tsNumber(oldest) : t <= tsNumber(oldest))) return false
    if (latest && (inclusive ? t > tsNumber(latest) : t >= tsNumber(latest))) return false
    if (after && (newestFirst ? t >= tsNumber(after) : t <= tsNumber(after))) return false
    return true
  }
  const ordered = [...list].sort((a, b) => (newestFirst ? tsNumber(b.ts) - tsNumber(a.ts) : tsNumber(a.ts) - tsNumber(b.ts)))
  const matching = ordered.filter(inRange)
  const limit = Math.min(Math.max(Number(args.limit ?? 100) || 100, 1), LIMITS.historyPageSize.max)
  const items = matching.slice(0, limit)
  const more = matching.length > items.length
  const last = items.at(-1)
  return {
    messages: items.map((m) => wireMessage(state, m)),
    has_more: more,
    response_metadata: { next_cursor: more && last ? encodeCursor(last.ts) : "" },
  }
}

/** Cursor paging over a plain list (users.list, conversations.list): the cursor is the next index. */
function listPage<T>(items: T[], args: Json): { items: T[]; next: string } {
  const start = typeof args.cursor === "string" && args.cursor ? Number(Buffer.from(args.cursor, "base64").toString("utf8").replace("next_index:", "")) : 0
  if (!Number.isInteger(start) || start < 0) throw new SlackError("invalid_cursor")
  const limit = Math.min(Math.max(Number(args.limit ?? 100) || 100, 1), LIMITS.listPageSize.max)
  const page = items.slice(start, start + limit)
  const more = start + limit < items.length
  return { items: page, next: more ? Buffer.from(`next_index:${start + limit}`).toString("base64") : "" }
}

const LIST_TYPES: Record<string, Channel["type"]> = { public_channel: "public", private_channel: "private", mpim: "mpim", im: "im" }

export const readMethods: MethodTable = {
  "auth.test": {
    headers: (state) => ({ "x-oauth-scopes": state.grantedScopes().join(",") }),
    handler: ({ state }) => ({
      url: `${state.baseUrl}/`,
      team: state.team.name,
      user: state.bot.name,
      team_id: state.team.id,
      user_id: state.bot.userId,
      bot_id: state.bot.botId,
      is_enterprise_install: false,
    }),
  },
  "apps.connections.open": {
    token: "app",
    handler: ({ openConnection }) => ({ url: openConnection() }),
  },
  "conversations.info": {
    scope: scopeBy(READ_SCOPE),
    handler: ({ state, args }) => ({ channel: channelObject(state, state.requireChannel(args.channel)) }),
  },
  "conversations.history": {
    scope: scopeBy(HISTORY_SCOPE),
    handler: ({ state, args }) => {
      const channel = state.requireBotChannel(args.channel)
      const top = (state.messages.get(channel.id) ?? []).filter((m) => !m.deleted && (!m.threadTs || m.replyBroadcast))
      return page(state, top, args, true)
    },
  },
  "conversations.replies": {
    scope: scopeBy(HISTORY_SCOPE),
    handler: ({ state, args }) => {
      const channel = state.requireBotChannel(args.channel)
      const ts = str(args.ts)
      const start = ts ? state.message(channel.id, ts) : undefined
      if (!start || start.deleted) throw new SlackError("thread_not_found")
      const rootTs = start.threadTs ?? start.ts
      const root = state.message(channel.id, rootTs)
      const replies = state.threadOf(channel.id, rootTs).filter((m) => !m.deleted && m.ts !== rootTs)
      const result = page(state, replies, args, false)
      if (root && !root.deleted && args.cursor === undefined) {
        result.messages = [wireMessage(state, root), ...(result.messages as Json[])]
      }
      return result
    },
  },
  "conversations.open": {
    scope: () => "im:write",
    handler: ({ state, args }) => {
      const ids = (str(args.users) ?? "").split(",").map((s) => s.trim()).filter(Boolean)
      if (ids.length === 0) throw new SlackError(args.channel ? "not_supported" : "users_list_not_supplied")
      for (const id of ids) state.requireUser(id)
      const wanted = new Set([state.bot.userId, ...ids])
      const sameMembers = (c: Channel) => c.members.size === wanted.size && [...wanted].every((u) => c.members.has(u))
      const existing =
        ids.length === 1
          ? state.dm(ids[0] ?? "")
          : ([...state.channels.values()].find((c) => c.type === "mpim" && sameMembers(c)) ??
            state.addChannel({ name: `mpdm-${ids.join("--")}`, type: "mpim", members: [...wanted] }))
      return { channel: bool(args.return_im) ? channelObject(state, existing) : { id: existing.id } }
    },
  },
  "users.info": {
    scope: () => "users:read",
    handler: ({ state, args }) => ({ user: userObject(state, state.requireUser(str(args.user) ?? "")) }),
  },
  "users.list": {
    scope: () => "users:read",
    handler: ({ state, args }) => {
      const { items, next } = listPage([...state.users.values()], args)
      return { members: items.map((u) => userObject(state, u)), response_metadata: { next_cursor: next } }
    },
  },
  "conversations.list": {
    scope: () => "channels:read",
    handler: ({ state, args }) => {
      const wanted = (str(args.types) ?? "public_channel").split(",").map((t) => LIST_TYPES[t.trim()])
      if (wanted.some((t) => t === undefined)) throw new SlackError("invalid_types")
      const readable = (c: Channel) => c.type === "public" || (c.members.has(state.bot.userId) && state.hasScope(READ_SCOPE[c.type]))
      const all = [...state.channels.values()].filter((c) => wanted.includes(c.type) && readable(c))
      const { items, next } = listPage(all, args)
      return { channels: items.map((c) => channelObject(state, c)), response_metadata: { next_cursor: next } }
    },
  },
  "usergroups.list": {
    scope: () => "usergroups:read",
    handler: ({ state, args }) => ({
      usergroups: [...state.userGroups.values()].map((g) => ({
        id: g.id,
        team_id: state.team.id,
        is_usergroup: true,
        name: g.name,
        handle: g.handle,
        description: "",
        user_count: g.members.length,
        ...(bool(args.include_users) ? { users: [...g.members] } : {}),
      })),
    }),
  },
  "usergroups.users.list": {
    scope: () => "usergroups:read",
    handler: ({ state, args }) => {
      const g = state.userGroups.get(str(args.usergroup) ?? "")
      if (!g) throw new SlackError("no_such_subteam")
      return { users: [...g.members] }
    },
  },
  "bots.info": {
    scope: () => "users:read",
    handler: ({ state, args }) => {
      const botId = str(args.bot)
      const user = [...state.users.values()].find((u) => u.botId !== undefined && u.botId === botId)
      if (!user?.botId) throw new SlackError("bot_not_found")
      const own = user.id === state.bot.userId
      return {
        bot: { id: user.botId, deleted: false, name: user.name, updated: 0, app_id: own ? state.bot.appId : undefined, user_id: user.id, icons: {} },
      }
    },
  },
}
