// Creating the places and people a test needs: users, guilds (with @everyone and the bot's
// managed role), roles, members, channels, DM channels and the bot's access per channel. Each
// change after the bot connected is announced as Discord would (GUILD_CREATE, CHANNEL_CREATE,
// CHANNEL_UPDATE, GUILD_MEMBER_ADD); DM channels are never announced (README "DMs").
import { errors } from "./errors.ts"
import { intentFor } from "./intents.ts"
import { channelWire, guildCreate, memberWire } from "./payloads.ts"
import { ACCESS_DENY, DEFAULT_BOT, DEFAULT_EVERYONE, type ChannelAccess } from "./permissions.ts"
import type { FakeState } from "./state.ts"
import { CHANNEL_TYPES, iso, snowflake, type ChannelKind, type ChannelRecord, type GuildRecord, type MemberRecord, type RoleRecord, type UserRecord } from "./types.ts"

export function makeUser(input: { username: string; globalName?: string | null; bot?: boolean }): UserRecord {
  return {
    id: snowflake(),
    username: input.username,
    global_name: input.globalName ?? null,
    discriminator: "0",
    avatar: null,
    bot: input.bot ?? false,
    public_flags: 0,
    flags: 0,
  }
}

export function addUser(state: FakeState, input: { username: string; globalName?: string | null; bot?: boolean }): UserRecord {
  const user = makeUser(input)
  state.users.set(user.id, user)
  state.changed()
  return user
}

function role(id: string, name: string, position: number, permissions: bigint, extra: Partial<RoleRecord> = {}): RoleRecord {
  return {
    id,
    name,
    color: 0,
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0,
    ...extra,
  }
}

/** A guild the bot is in: `@everyone` (id = guild id), the bot's managed role, the bot as member. */
export function addGuild(state: FakeState, input: { name: string; ownerId?: string; botPermissions?: bigint }): GuildRecord {
  const id = snowflake()
  const owner = input.ownerId ? state.requireUser(input.ownerId).id : addUser(state, { username: `${input.name}-owner` }).id
  const botRole = role(snowflake(), state.bot.username, 1, input.botPermissions ?? DEFAULT_BOT, { managed: true, tags: { bot_id: state.bot.id } })
  const guild: GuildRecord = { id, name: input.name, owner_id: owner, joined_at: iso(), roles: [role(id, "@everyone", 0, DEFAULT_EVERYONE), botRole] }
  state.guilds.set(id, guild)
  state.members.set(`${id}:${state.bot.id}`, { guild_id: id, user_id: state.bot.id, roles: [botRole.id], nick: null, joined_at: guild.joined_at })
  state.members.set(`${id}:${owner}`, { guild_id: id, user_id: owner, roles: [], nick: null, joined_at: guild.joined_at })
  state.dispatch({ t: "GUILD_CREATE", d: guildCreate(state, guild, 0), intent: intentFor("GUILD_CREATE", false), contentGated: false })
  state.changed()
  return guild
}

export function addRole(state: FakeState, guildId: string, input: { name: string; permissions?: bigint; mentionable?: boolean }): RoleRecord {
  const guild = state.requireGuild(guildId)
  const r = role(snowflake(), input.name, guild.roles.length, input.permissions ?? 0n, { mentionable: input.mentionable ?? true })
  guild.roles.push(r)
  state.dispatch({ t: "GUILD_ROLE_CREATE", d: { guild_id: guildId, role: structuredClone(r) }, intent: intentFor("GUILD_CREATE", false), contentGated: false })
  state.changed()
  return r
}

export function addMember(state: FakeState, guildId: string, userId: string, input: { roles?: string[]; nick?: string } = {}): MemberRecord {
  const guild = state.requireGuild(guildId)
  state.requireUser(userId)
  for (const r of input.roles ?? []) if (!guild.roles.some((x) => x.id === r)) throw errors.unknownRole()
  const member: MemberRecord = { guild_id: guildId, user_id: userId, roles: [...(input.roles ?? [])], nick: input.nick ?? null, joined_at: iso() }
  state.members.set(`${guildId}:${userId}`, member)
  state.dispatch({ t: "GUILD_MEMBER_ADD", d: { ...memberWire(state, member), guild_id: guildId }, intent: intentFor("GUILD_MEMBER_ADD", false), contentGated: false })
  state.changed()
  return member
}

const KIND_TYPES: Record<ChannelKind, number> = {
  text: CHANNEL_TYPES.text,
  forum: CHANNEL_TYPES.forum,
  voice: CHANNEL_TYPES.voice,
  category: CHANNEL_TYPES.category,
  announcement: CHANNEL_TYPES.announcement,
}

export interface NewChannel {
  name: string
  type?: ChannelKind
  parentId?: string
  topic?: string
  /** The bot's access, as a member overwrite: "none" → 50001 Missing Access, "read-only" → 50013 on writes. */
  botAccess?: ChannelAccess
}

export function addChannel(state: FakeState, guildId: string, input: NewChannel): ChannelRecord {
  const guild = state.requireGuild(guildId)
  if (input.parentId && state.requireChannel(input.parentId).type !== CHANNEL_TYPES.category) throw errors.wrongChannelType()
  const type = KIND_TYPES[input.type ?? "text"]
  const position = [...state.channels.values()].filter((c) => c.guild_id === guild.id).length
  const channel: ChannelRecord = {
    id: snowflake(),
    type,
    guild_id: guild.id,
    name: input.name,
    parent_id: input.parentId ?? null,
    position,
    permission_overwrites: [],
    last_message_id: null,
    flags: 0,
  }
  if (type === CHANNEL_TYPES.text || type === CHANNEL_TYPES.forum || type === CHANNEL_TYPES.announcement) {
    channel.topic = input.topic ?? null
    channel.nsfw = false
    channel.rate_limit_per_user = 0
  }
  if (type === CHANNEL_TYPES.forum) channel.available_tags = []
  state.channels.set(channel.id, channel)
  applyAccess(state, channel, input.botAccess ?? "full")
  state.dispatch({ t: "CHANNEL_CREATE", d: channelWire(channel), intent: intentFor("CHANNEL_CREATE", false), contentGated: false })
  state.changed()
  return channel
}

function applyAccess(state: FakeState, channel: ChannelRecord, access: ChannelAccess): void {
  const others = (channel.permission_overwrites ?? []).filter((o) => !(o.type === 1 && o.id === state.bot.id))
  const deny = ACCESS_DENY[access]
  channel.permission_overwrites = deny ? [...others, { id: state.bot.id, type: 1, allow: "0", deny: deny.toString() }] : others
}

/** Changes the bot's access to a channel at runtime (announced as CHANNEL_UPDATE). */
export function setChannelAccess(state: FakeState, channelId: string, access: ChannelAccess): ChannelRecord {
  const channel = state.requireChannel(channelId)
  if (!channel.guild_id) throw errors.wrongChannelType()
  applyAccess(state, channel, access)
  state.dispatch({ t: "CHANNEL_UPDATE", d: channelWire(channel), intent: intentFor("CHANNEL_UPDATE", false), contentGated: false })
  state.changed()
  return channel
}

/** The DM channel between the bot and a user, created on first use (type 1, one recipient). */
export function dmChannel(state: FakeState, userId: string): ChannelRecord {
  const user = state.requireUser(userId)
  const existing = [...state.channels.values()].find((c) => c.type === CHANNEL_TYPES.dm && c.recipients?.[0]?.id === user.id)
  if (existing) return existing
  const channel: ChannelRecord = { id: snowflake(), type: CHANNEL_TYPES.dm, last_message_id: null, flags: 0, recipients: [structuredClone(user)] }
  state.channels.set(channel.id, channel)
  state.changed()
  return channel
}
