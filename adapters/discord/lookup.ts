// Names from the configuration to Discord ids, over REST (doctor and start resolve access rules
// before, or without, a gateway): a user by username through the member search of each served
// server (no privileged intent needed), a channel by name among each served server's channels.
import { Routes, type APIChannel, type APIGuildMember, type REST } from "discord.js"
import { call } from "./errors.ts"
import { LIMITS } from "./limits.ts"

export async function lookupName(rest: REST, served: string[], kind: "user" | "channel", name: string): Promise<string | undefined> {
  const want = name.trim().replace(/^[@#]/, "").toLowerCase()
  const all = (await call("list the bot's servers", () => rest.get(Routes.userGuilds()))) as Array<{ id: string; name: string }>
  const guilds = all.filter((g) => served.length === 0 || served.some((w) => w === g.id || w.toLowerCase() === g.name.toLowerCase()))
  for (const g of guilds) {
    if (kind === "user") {
      const query = new URLSearchParams({ query: want, limit: String(LIMITS.memberSearchLimit) })
      const found = (await call(`search members of ${g.name}`, () => rest.get(Routes.guildMembersSearch(g.id), { query }))) as APIGuildMember[]
      const hit = found.find((m) => m.user.username.toLowerCase() === want)
      if (hit) return hit.user.id
    } else {
      const channels = (await call(`list channels of ${g.name}`, () => rest.get(Routes.guildChannels(g.id)))) as APIChannel[]
      const hit = channels.find((c) => "name" in c && c.name?.toLowerCase() === want)
      if (hit) return hit.id
    }
  }
  return undefined
}
