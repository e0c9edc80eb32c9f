// `switchboard doctor` for Discord, over REST only (no gateway needed): the token works, the
// Message Content intent is enabled for the application, the bot is in the configured servers,
// and it holds every permission it needs (setup.ts) in the channels it is to serve — each
// missing bit named per channel, with the invite URL that grants them (docs/discord.md "Setup").
import { ChannelType, Routes, type APIApplication, type APIGuild, type APIGuildChannel, type APIGuildMember, type APIRole, type APIUser, type REST } from "discord.js"
import { call } from "./errors.ts"
import { channelPermissions, inviteUrl, MESSAGE_CONTENT_FLAGS, missingPermissions } from "./setup.ts"

const SERVED = new Set<number>([ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.GuildMedia])

const norm = (s: string) => s.trim().replace(/^#/, "").toLowerCase()

type PartialGuild = Pick<APIGuild, "id" | "name">

export interface CheckScope {
  guilds?: string[]
  channels?: string[]
}

export async function checkSetup(rest: REST, scope: CheckScope): Promise<string> {
  const me = await call("read the bot user (GET /users/@me); is DISCORD_TOKEN right?", () => rest.get(Routes.user("@me")) as Promise<APIUser>)
  const app = await call("read the application (GET /applications/@me)", () => rest.get(Routes.currentApplication()) as Promise<APIApplication>)
  const problems: string[] = []
  if (((app.flags ?? 0) & MESSAGE_CONTENT_FLAGS) === 0) {
    problems.push("the Message Content intent is off: enable it in the Developer Portal → Bot → Privileged Gateway Intents")
  }
  const all = await call("list the bot's servers", () => rest.get(Routes.userGuilds()) as Promise<PartialGuild[]>)
  const wanted = (scope.guilds ?? []).filter(Boolean)
  const guilds = wanted.length ? all.filter((g) => wanted.some((w) => w === g.id || w.toLowerCase() === g.name.toLowerCase())) : all
  for (const w of wanted) {
    if (!all.some((g) => w === g.id || w.toLowerCase() === g.name.toLowerCase())) problems.push(`the bot is not in the server "${w}"`)
  }
  if (all.length === 0) problems.push("the bot is in no server yet: open the invite URL below")
  const entries = (scope.channels ?? []).map(norm).filter(Boolean)
  const found = new Set<string>()
  let checked = 0
  for (const guild of guilds) {
    const [full, channels, roles, member] = await Promise.all([
      call(`read server ${guild.name}`, () => rest.get(Routes.guild(guild.id)) as Promise<APIGuild>),
      call(`list the channels of ${guild.name}`, () => rest.get(Routes.guildChannels(guild.id)) as Promise<APIGuildChannel[]>),
      call(`list the roles of ${guild.name}`, () => rest.get(Routes.guildRoles(guild.id)) as Promise<APIRole[]>),
      call(`read the bot's member in ${guild.name}`, () => rest.get(Routes.guildMember(guild.id, me.id)) as Promise<APIGuildMember>),
    ])
    for (const channel of channels) {
      if (!SERVED.has(channel.type)) continue
      const name = channel.name ?? channel.id
      const listed = entries.includes(channel.id) || entries.includes(name.toLowerCase())
      if (entries.length && !listed) continue
      if (listed) found.add(entries.includes(channel.id) ? channel.id : name.toLowerCase())
      const perms = channelPermissions({
        guildId: guild.id,
        ownerId: full.owner_id,
        userId: me.id,
        memberRoles: member.roles,
        roles,
        overwrites: (channel.permission_overwrites ?? []).map((o) => ({ id: o.id, type: o.type, allow: o.allow, deny: o.deny })),
      })
      // Unlisted channels the bot cannot see are simply not served.
      if (perms === 0n && !listed) continue
      checked++
      const missing = missingPermissions(perms)
      if (missing.length) problems.push(`#${name} (${guild.name}): missing ${missing.join(", ")}`)
    }
  }
  for (const e of entries) if (!found.has(e)) problems.push(`channel "${e}" is not a text or forum channel of a served server`)
  const invite = inviteUrl(app.id)
  if (problems.length) throw new Error(`${problems.join("; ")}. Invite URL with the needed permissions: ${invite}`)
  return `bot @${me.username} (application ${app.id}): Message Content intent on; ${guilds.length} server(s); permissions complete in ${checked} channel(s); invite URL: ${invite}`
}
