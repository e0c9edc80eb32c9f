// The adapter contract (test/harness/contracts) applied to Discord: the REAL discord.js client
// inside the adapter, against the in-repo fake Discord (test/harness/discord).
import { DiscordAdapter } from "../../adapters/discord/adapter.ts"
import { decodeCustomId } from "../../adapters/discord/outbound.ts"
import { silentLogger } from "../../src/log/logger.ts"
import { describeAdapterContract } from "../harness/contracts/adapter-contract.ts"
import { startFakeDiscord, type Json } from "../harness/discord/index.ts"

describeAdapterContract("discord", async (sink) => {
  const fake = await startFakeDiscord()
  const alice = fake.addUser({ username: "alice" })
  const guild = fake.addGuild({ name: "core", owner: alice })
  const channel = fake.addChannel(guild, { name: "agents" })
  const adapter = new DiscordAdapter({ token: fake.bot.token, apiUrl: fake.apiUrl, log: silentLogger })
  await adapter.start(sink)
  const root = fake.postAs(alice, { channelId: channel.id, content: "a thread to work in" })
  const { thread } = fake.createThreadAs(alice, { channelId: channel.id, messageId: root.id, name: "work" })
  const where = (ref: string) => ref.split(":") as [string, string, string]
  return {
    adapter,
    thread: `discord:${guild.id}:${channel.id}:${thread.id}`,
    shown: (ref) => {
      const [, ch, id] = where(ref)
      const m = fake.message(ch, id)
      return m && !m.deleted ? m.content : undefined
    },
    rateLimitNext: () => fake.forceRateLimit({ count: 1, retryAfterMs: 1_000 }),
    userMentions: (text) => void fake.postAs(alice, { channelId: channel.id, content: `<@${fake.bot.id}> ${text}` }),
    botPostsDirectly: async (text) => {
      const res = await fetch(`${fake.apiUrl}/v10/channels/${channel.id}/messages`, {
        method: "POST",
        headers: { Authorization: `Bot ${fake.bot.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ content: `<@${fake.bot.id}> ${text}` }),
      })
      if (!res.ok) throw new Error(`bot post failed: ${res.status}`)
    },
    click: async (ref, actionId) => {
      const [, ch, id] = where(ref)
      const ids = (fake.message(ch, id)?.components ?? []).flatMap((row) => (row.components as Json[]).map((c) => String(c.custom_id)))
      const customId = ids.find((c) => decodeCustomId(c).id === actionId)
      if (!customId) throw new Error(`no component with action ${actionId} on ${id}`)
      await fake.click(alice, { channelId: ch, messageId: id, customId })
    },
    ephemeralsOfClicker: async () => {
      // The note is a follow-up sent after the click was acknowledged: wait for it.
      await fake.waitFor((f) => f.ephemerals(alice).length > 0, { timeoutMs: 5_000, what: "an ephemeral follow-up" }).catch(() => undefined)
      return fake.ephemerals(alice).map((m) => m.content)
    },
    close: async () => {
      await adapter.stop()
      await fake.close()
    },
  }
})
