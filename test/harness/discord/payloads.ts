// Builds the JSON Discord sends from the stored records: users, members, channels, messages
// (with derived reactions, thread and referenced_message), guilds for GUILD_CREATE, and the
// gateway-only decorations of MESSAGE_CREATE/UPDATE (`guild_id`, `member`, `channel_type`).
// Read-only over FakeState; the REST-side Message Content blanking lives here too.
import { blankContent, INTENTS } from "./intents.ts"
import type { FakeState } from "./state.ts"
import type { ChannelRecord, GuildRecord, Json, MemberRecord, MessageRecord, UserRecord } from "./types.ts"

const clone = <T>(v: T): T => structuredClone(v)

export const userWire = (u: UserRecord): Json => ({ ...clone(u) })

export function memberWire(state: FakeState, m: MemberRecord, withUser = true): Json {
  const out: Json = {
    nick: m.nick,
    avatar: null,
    banner: null,
    roles: [...m.roles],
    joined_at: m.joined_at,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  }
  if (withUser) out.user = userWire(state.requireUser(m.user_id))
  return out
}

export const channelWire = (c: ChannelRecord): Json => clone(c) as unknown as Json

function reactionsWire(state: FakeState, messageId: string): Json[] | undefined {
  const byEmoji = state.reactions.get(messageId)
  if (!byEmoji || byEmoji.size === 0) return undefined
  return [...byEmoji].map(([emoji, users]) => ({
    count: users.length,
    count_details: { burst: 0, normal: users.length },
    me: users.includes(state.bot.id),
    me_burst: false,
    burst_colors: [],
    emoji: emojiWire(emoji),
  }))
}

/** "👍" → `{id:null, name:"👍"}`; "name:123" (custom) → `{id:"123", name:"name"}`. */
export function emojiWire(emoji: string): Json {
  const custom = /^<?a?:?([\w~]+):(\d{17,20})>?$/.exec(emoji)
  return custom ? { id: custom[2], name: custom[1], animated: false } : { id: null, name: emoji }
}

/** The message as REST returns it (and the base of gateway payloads). */
export function messageWire(state: FakeState, rec: MessageRecord, depth = 0): Json {
  const out: Json = clone(rec.wire) as unknown as Json
  const reactions = reactionsWire(state, rec.wire.id)
  if (reactions) out.reactions = reactions
  if (rec.threadId) {
    const thread = state.channels.get(rec.threadId)
    if (thread) out.thread = channelWire(thread)
  }
  const ref = rec.wire.message_reference
  if (ref?.message_id && depth === 0 && (rec.wire.type === 19 || rec.wire.type === 21)) {
    const target = state.messages.get(ref.message_id)
    out.referenced_message = target && !target.deleted ? messageWire(state, target, 1) : null
  }
  return out
}

/** Whether the Message Content rules let the bot see this message's content without the intent. */
export function contentExempt(state: FakeState, rec: MessageRecord): boolean {
  const channel = state.channels.get(rec.wire.channel_id)
  if (!channel?.guild_id) return true
  if (rec.wire.author.id === state.bot.id) return true
  if (rec.wire.webhook_id === state.applicationId) return true
  return rec.wire.mentions.some((u) => u.id === state.bot.id)
}

/** REST reads honour the portal's Message Content toggle (REST has no intents). */
export function restMessage(state: FakeState, rec: MessageRecord): Json {
  const wire = messageWire(state, rec)
  return state.privileged.messageContent || contentExempt(state, rec) ? wire : blankContent(wire)
}

/** MESSAGE_CREATE / MESSAGE_UPDATE data: the message plus `guild_id`, the author's `member`, `channel_type`. */
export function gatewayMessage(state: FakeState, rec: MessageRecord): Json {
  const out = messageWire(state, rec)
  const channel = state.channels.get(rec.wire.channel_id)
  if (channel) out.channel_type = channel.type
  if (channel?.guild_id) {
    out.guild_id = channel.guild_id
    const member = state.member(channel.guild_id, rec.wire.author.id)
    if (member && !rec.wire.webhook_id) out.member = memberWire(state, member, false)
  }
  return out
}

/** GUILD_CREATE for one session: members beyond the bot only with the GuildMembers intent. */
export function guildCreate(state: FakeState, guild: GuildRecord, intents: number): Json {
  const channels = [...state.channels.values()].filter((c) => c.guild_id === guild.id)
  const allMembers = [...state.members.values()].filter((m) => m.guild_id === guild.id)
  const members = intents & INTENTS.guildMembers ? allMembers : allMembers.filter((m) => m.user_id === state.bot.id)
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    owner_id: guild.owner_id,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: "en-US",
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    max_members: 500000,
    vanity_url_code: null,
    description: null,
    roles: clone(guild.roles),
    emojis: [],
    stickers: [],
    features: [],
    joined_at: guild.joined_at,
    large: false,
    unavailable: false,
    member_count: allMembers.length,
    voice_states: [],
    members: members.map((m) => memberWire(state, m)),
    channels: channels.filter((c) => !state.isThread(c)).map(channelWire),
    threads: channels.filter((c) => state.isThread(c) && !c.thread_metadata?.archived).map(channelWire),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  }
}

/** The REST view of a guild (`GET /guilds/{id}`): no members, channels or threads. */
export function guildWire(state: FakeState, guild: GuildRecord): Json {
  const { members: _m, channels: _c, threads: _t, voice_states: _v, presences: _p, ...rest } = guildCreate(state, guild, 0)
  return rest
}
