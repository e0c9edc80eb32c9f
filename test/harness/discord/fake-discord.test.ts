// Drives the REAL discord.js 14 Client against the fake and asserts on what people would see and
// on what the fake really answered. Doubles as executable documentation of discord.js's habits
// (proactive rate-limit waits, RESUME, trap 24). Every wait is event-driven.
import { spawn, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  type Client,
  type ClientEvents,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  RateLimitError,
  REST,
  Routes,
  StringSelectMenuBuilder,
  type ForumChannel,
  type Message,
  type TextChannel,
} from "discord.js"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { fakeDiscordClient, loginToFake, TEST_INTENTS, type FakeClientOptions } from "./client.ts"
import { startFakeDiscord, type ChannelRecord, type FakeDiscord, type FakeDiscordOptions, type GuildHandle, type UserHandle } from "./index.ts"

let fake: FakeDiscord
let guild: GuildHandle
let alice: UserHandle
let general: ChannelRecord
let forum: ChannelRecord
const clients: Client[] = []
const children: ChildProcess[] = []

async function setup(options: FakeDiscordOptions = {}): Promise<void> {
  fake = await startFakeDiscord(options)
  alice = fake.addUser({ username: "alice", globalName: "Alice" })
  guild = fake.addGuild({ name: "core", owner: alice })
  general = fake.addChannel(guild, { name: "general" })
  forum = fake.addChannel(guild, { name: "ideas", type: "forum" })
}

async function login(opts: FakeClientOptions = {}): Promise<Client<true>> {
  const client = fakeDiscordClient(fake, opts)
  clients.push(client)
  return loginToFake(client, fake)
}

/** Resolves with the next event (matching `filter`) a client emits. */
function next<K extends keyof ClientEvents>(client: Client, event: K, filter: (...args: ClientEvents[K]) => boolean = () => true, timeoutMs = 5000) {
  return new Promise<ClientEvents[K]>((resolve, reject) => {
    const timer = setTimeout(() => (client.off(event, on), reject(new Error(`no ${String(event)} within ${timeoutMs} ms`))), timeoutMs)
    const on = (...args: ClientEvents[K]) => {
      if (!filter(...args)) return
      clearTimeout(timer)
      client.off(event, on)
      resolve(args)
    }
    client.on(event, on)
  })
}

const text = (c: Client<true>, id: string) => c.channels.cache.get(id) as TextChannel

beforeEach(() => setup())

afterEach(async () => {
  for (const c of clients.splice(0)) await c.destroy()
  for (const p of children.splice(0)) if (p.exitCode === null) p.kill()
  await fake.close()
})

describe("login and the gateway handshake", () => {
  it("becomes ready at once with guilds, channels, roles and the bot member cached", async () => {
    const client = await login()
    expect(client.user.id).toBe(fake.bot.id)
    expect(client.application.id).toBe(fake.bot.applicationId)
    const g = client.guilds.cache.get(guild.id)!
    expect(g.name).toBe("core")
    expect(g.channels.cache.get(general.id)?.type).toBe(ChannelType.GuildText)
    expect(g.channels.cache.get(forum.id)?.type).toBe(ChannelType.GuildForum)
    expect(g.roles.everyone.id).toBe(guild.id)
    expect(g.members.cache.has(fake.bot.id)).toBe(true)
    expect(g.members.cache.has(alice.id)).toBe(false) // no GuildMembers intent: only the bot's member
    expect(fake.stats().gateway).toMatchObject({ connects: 1, identifies: 1, open: 1 })
    expect(fake.requests().map((r) => `${r.method} ${r.route}`)).toEqual(["GET /gateway/bot"])
  })

  it("REST reads: a member with roles, roles, channels, one channel", async () => {
    const client = await login()
    const ops = fake.addRole(guild, { name: "ops" })
    const bob = fake.addUser({ username: "bob" })
    fake.addMember(guild, bob, { roles: [ops] })
    const g = client.guilds.cache.get(guild.id)!
    const member = await g.members.fetch(bob.id)
    expect(member.roles.cache.has(ops.id)).toBe(true)
    expect((await g.roles.fetch()).map((r) => r.name)).toEqual(expect.arrayContaining(["@everyone", "switchboard", "ops"]))
    expect((await g.channels.fetch()).map((c) => c?.name)).toEqual(expect.arrayContaining(["general", "ideas"]))
    expect((await client.channels.fetch(general.id, { force: true }))?.id).toBe(general.id)
  })

  it("Missing Access and Missing Permissions follow the bot's channel access", async () => {
    const client = await login()
    const hidden = fake.addChannel(guild, { name: "hidden", botAccess: "none" })
    const announced = next(client, Events.ChannelCreate, (c) => c.name === "announcements")
    const readOnly = fake.addChannel(guild, { name: "announcements", botAccess: "read-only" })
    await announced // CHANNEL_CREATE caches it
    await expect(client.rest.post(Routes.channelMessages(hidden.id), { body: { content: "x" } })).rejects.toMatchObject({ code: 50001, status: 403 })
    await expect(text(client, readOnly.id).send("x")).rejects.toMatchObject({ code: 50013, status: 403 })
    fake.setChannelAccess(readOnly, "full")
    await expect(text(client, readOnly.id).send("now I may")).resolves.toBeDefined()
  })

  it("a disallowed privileged intent fails login with close 4014", async () => {
    await fake.close()
    await setup({ privilegedIntents: { messageContent: false } })
    await expect(login()).rejects.toThrow(/disallowed intents/i)
    expect(fake.stats().gateway.serverCloses).toEqual([4014])
    expect(fake.stats().gateway.identifies).toBe(0)
  })

  it("a wrong token is 401 on REST", async () => {
    const res = await fetch(`${fake.apiUrl}/v10/users/@me`, { headers: { Authorization: "Bot nope" } })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ code: 0, message: "401: Unauthorized" })
    const me = await fetch(`${fake.apiUrl}/v10/users/%40me`, { headers: { Authorization: `Bot ${fake.bot.token}` } })
    expect(((await me.json()) as { id: string }).id).toBe(fake.bot.id)
  })
})

describe("messages", () => {
  it("a person's message arrives; the bot's send, edit and delete are what people see", async () => {
    const client = await login()
    const seen = next(client, Events.MessageCreate, (m) => m.author.id === alice.id)
    const posted = fake.postAs(alice, { channelId: general.id, content: "hello bot" })
    const [msg] = await seen
    expect(msg).toMatchObject({ id: posted.id, content: "hello bot", channelId: general.id })
    expect(msg.member?.id).toBe(alice.id)
    const echo = next(client, Events.MessageCreate, (m) => m.author.id === fake.bot.id)
    const reply = await msg.reply("hi alice")
    expect((await echo)[0].id).toBe(reply.id) // Discord echoes the bot's own sends
    await reply.edit("hi Alice")
    const gone = await text(client, general.id).send("temporary")
    await gone.delete()
    const view = fake.messages(general.id)
    expect(view.map((m) => [m.author.username, m.content, m.edited])).toEqual([
      ["alice", "hello bot", false],
      ["switchboard", "hi Alice", true],
    ])
    expect(view[1]!.reference?.message_id).toBe(posted.id)
    expect(view[1]!.pings.users).toEqual([alice.id]) // a reply pings its author by default
    const updated = next(client, Events.MessageUpdate, (_old, m) => m.id === posted.id)
    fake.editAs(alice, general.id, posted.id, "hello bot (edited)")
    expect((await updated)[1].content).toBe("hello bot (edited)")
    const deleted = next(client, Events.MessageDelete, (m) => m.id === posted.id)
    fake.deleteAs(alice, general.id, posted.id)
    await deleted
    expect(fake.messages(general.id).map((m) => m.content)).toEqual(["hi Alice"])
  })

  it("allowed_mentions decides who is really pinged", async () => {
    const client = await login()
    const bob = fake.addUser({ username: "bob" })
    fake.addMember(guild, bob)
    const ch = text(client, general.id)
    const quiet = await ch.send({ content: `<@${alice.id}> <@${bob.id}> @everyone`, allowedMentions: { users: [bob.id] } })
    const loud = await ch.send(`<@${alice.id}> @everyone`)
    expect(fake.message(general.id, quiet.id)?.pings).toMatchObject({ users: [bob.id], everyone: false })
    expect(fake.message(general.id, loud.id)?.pings).toMatchObject({ users: [alice.id], everyone: true })
    expect(quiet.mentions.users.map((u) => u.id)).toEqual([bob.id])
  })

  it("without the MessageContent intent content is blank, except mentions of the bot and DMs", async () => {
    const client = await login({ intents: TEST_INTENTS.filter((i) => i !== GatewayIntentBits.MessageContent) })
    const plain = next(client, Events.MessageCreate, (m) => m.author.id === alice.id)
    fake.postAs(alice, { channelId: general.id, content: "secret" })
    expect((await plain)[0].content).toBe("")
    const mention = next(client, Events.MessageCreate, (m) => m.author.id === alice.id)
    fake.postAs(alice, { channelId: general.id, content: `<@${fake.bot.id}> visible` })
    expect((await mention)[0].content).toBe(`<@${fake.bot.id}> visible`)
    const dm = fake.dm(alice)
    const direct = next(client, Events.MessageCreate, (m) => m.channelId === dm.id)
    fake.postAs(alice, { channelId: dm.id, content: "in a DM" })
    const [d] = await direct
    expect(d.content).toBe("in a DM")
    expect(d.channel.type).toBe(ChannelType.DM) // needs Partials.Channel: DM channels are never announced
    await d.reply("dm answer")
    await client.users.send(alice.id, "opened by the bot") // POST /users/@me/channels, then a send
    expect(fake.messages(dm.id).map((m) => m.content)).toEqual(["in a DM", "dm answer", "opened by the bot"])
  })

  it("content over 2,000 characters is 50035; broken components too", async () => {
    const client = await login()
    const err = await text(client, general.id).send("x".repeat(2001)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DiscordAPIError)
    expect(err).toMatchObject({ code: 50035, status: 400 })
    expect((err as DiscordAPIError).rawError).toMatchObject({ errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } } })
    const button = (id: string) => ({ type: 2, style: 1, label: "b", custom_id: id })
    const sixInARow = { components: [{ type: 1, components: ["a", "b", "c", "d", "e", "f"].map(button) }] }
    await expect(client.rest.post(Routes.channelMessages(general.id), { body: sixInARow })).rejects.toMatchObject({ code: 50035 })
    const dup = { components: [{ type: 1, components: [button("same"), button("same")] }] }
    await expect(client.rest.post(Routes.channelMessages(general.id), { body: dup })).rejects.toMatchObject({
      rawError: { errors: { components: { 0: { components: { 1: { custom_id: { _errors: [{ code: "COMPONENT_CUSTOM_ID_DUPLICATED" }] } } } } } } },
    })
    expect(fake.messages(general.id)).toEqual([])
  })

  it("uploads through channel.send({files}) and downloads a person's attachment", async () => {
    const client = await login()
    const sent = await text(client, general.id).send({ content: "log", files: [{ attachment: Buffer.from("build ok\n"), name: "build.log" }] })
    const [att] = fake.message(general.id, sent.id)!.attachments
    expect(att).toMatchObject({ filename: "build.log", size: 9 })
    expect(await (await fetch(att!.url)).text()).toBe("build ok\n")
    const arrived = next(client, Events.MessageCreate, (m) => m.author.id === alice.id)
    fake.postAs(alice, { channelId: general.id, content: "see file", attachments: [{ name: "notes.md", data: "# notes", contentType: "text/markdown" }] })
    const file = (await arrived)[0].attachments.first()!
    expect(file.name).toBe("notes.md")
    expect(await (await fetch(file.url)).text()).toBe("# notes")
  })

  it("typing is a bodiless 204; reactions both ways", async () => {
    const client = await login()
    const ch = text(client, general.id)
    await ch.sendTyping()
    expect(fake.typing()).toMatchObject([{ userId: fake.bot.id, channelId: general.id, via: "rest" }])
    const raw = await fetch(`${fake.apiUrl}/v10/channels/${general.id}/typing`, { method: "POST", headers: { Authorization: `Bot ${fake.bot.token}` } })
    expect(raw.status).toBe(204)
    expect(raw.headers.get("content-type")).toBeNull() // trap 13
    const msg = await ch.send("react to me")
    await msg.react("👀")
    const reacted = next(client, Events.MessageReactionAdd, (_r, u) => u.id === alice.id)
    fake.reactAs(alice, general.id, msg.id, "✅")
    expect((await reacted)[0].emoji.name).toBe("✅")
    expect(fake.reactions(general.id, msg.id)).toEqual([
      { messageId: msg.id, channelId: general.id, emoji: "👀", userIds: [fake.bot.id] },
      { messageId: msg.id, channelId: general.id, emoji: "✅", userIds: [alice.id] },
    ])
  })
})

describe("threads and forums", () => {
  it("a thread from a message keeps its id; a person's reply in it arrives", async () => {
    const client = await login()
    const root = await text(client, general.id).send("session started")
    const thread = await root.startThread({ name: "fix the build" })
    expect(thread.id).toBe(root.id)
    expect(fake.threads(general.id).map((t) => [t.id, t.name, t.type])).toEqual([[root.id, "fix the build", 11]])
    expect(fake.message(general.id, root.id)?.threadId).toBe(root.id)
    await thread.send("working on it")
    const inThread = next(client, Events.MessageCreate, (m) => m.author.id === alice.id)
    fake.postAs(alice, { channelId: thread.id, content: "thanks" })
    expect((await inThread)[0].channel.isThread()).toBe(true)
    expect(fake.messages(thread.id).map((m) => m.content)).toEqual(["working on it", "thanks"])
    const archived = next(client, Events.ThreadUpdate, (_old, t) => t.archived === true)
    fake.archiveThread(thread.id)
    await archived
    await thread.send("back again") // sending into an archived, unlocked thread unarchives it
    expect(fake.channel(thread.id)?.thread_metadata?.archived).toBe(false)
  })

  it("forum posts by the bot and by a person (THREAD_CREATE keeps the thread cached)", async () => {
    const client = await login()
    const channel = client.channels.cache.get(forum.id) as ForumChannel
    const post = await channel.threads.create({ name: "Idea: dark mode", message: { content: "What do you think?" } })
    expect(fake.threads(forum.id).map((t) => t.name)).toEqual(["Idea: dark mode"])
    expect(fake.messages(post.id)).toMatchObject([{ id: post.id, content: "What do you think?" }])
    const created = next(client, Events.ThreadCreate, (t) => t.ownerId === alice.id)
    const starter = next(client, Events.MessageCreate, (m) => m.author.id === alice.id)
    const mine = fake.createThreadAs(alice, { channelId: forum.id, name: "Bug: login", content: "It fails" })
    const [thread, newly] = await created
    expect([thread.id, newly]).toEqual([mine.thread.id, true])
    expect((await starter)[0]).toMatchObject({ id: mine.thread.id, content: "It fails", channelId: mine.thread.id })
  })
})

describe("interactions", () => {
  const row = (...ids: string[]) =>
    new ActionRowBuilder<ButtonBuilder>().addComponents(ids.map((id) => new ButtonBuilder().setCustomId(id).setLabel(id).setStyle(ButtonStyle.Primary)))

  async function withButtons(client: Client<true>, ...ids: string[]): Promise<Message> {
    return text(client, general.id).send({ content: "Allow `rm -rf build`?", components: [row(...ids)] })
  }

  it("update() replaces the message; deferUpdate() then editReply() edits it; reply() can be ephemeral", async () => {
    const client = await login()
    client.on(Events.InteractionCreate, async (i: Interaction) => {
      if (!i.isButton()) return
      if (i.customId === "allow") await i.update({ content: "Allowed by Alice", components: [] })
      if (i.customId === "later") {
        await i.deferUpdate()
        await i.editReply({ content: "Decided later", components: [] })
      }
      if (i.customId === "why") await i.reply({ content: "Because the build dir is stale", flags: MessageFlags.Ephemeral })
    })
    const a = await withButtons(client, "allow")
    const allowed = await fake.click(alice, { channelId: general.id, messageId: a.id, customId: "allow" })
    expect(allowed).toMatchObject({ status: "answered", callback: { type: 7 }, original: { content: "Allowed by Alice", components: [] } })
    expect(allowed.callback!.latencyMs).toBeLessThan(3000)
    const b = await withButtons(client, "later")
    const later = await fake.click(alice, { channelId: general.id, messageId: b.id, customId: "later" })
    expect(later.callback?.type).toBe(6)
    await fake.waitFor(() => fake.message(general.id, b.id)?.content === "Decided later", { what: "@original edit" })
    const c = await withButtons(client, "why")
    const why = await fake.click(alice, { channelId: general.id, messageId: c.id, customId: "why" })
    expect(why.seenOnlyByUser.map((m) => m.content)).toEqual(["Because the build dir is stale"])
    expect(fake.ephemerals(alice).map((m) => m.content)).toEqual(["Because the build dir is stale"])
    expect(fake.messages(general.id).map((m) => m.content)).not.toContain("Because the build dir is stale")
    expect(() => fake.click(alice, { channelId: general.id, messageId: c.id, customId: "nope" })).toThrow(/no component "nope"/)
  })

  it("a string select with a follow-up", async () => {
    const client = await login()
    client.on(Events.InteractionCreate, async (i: Interaction) => {
      if (!i.isStringSelectMenu()) return
      await i.reply(`Model set to ${i.values.join(", ")}`)
      await i.followUp({ content: "Only you see this", flags: MessageFlags.Ephemeral })
    })
    const menu = new StringSelectMenuBuilder().setCustomId("model").addOptions(
      { label: "Small", value: "small" },
      { label: "Large", value: "large" },
    )
    const msg = await text(client, general.id).send({ content: "Pick a model", components: [new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(menu)] })
    const picked = await fake.select(alice, { channelId: general.id, messageId: msg.id, customId: "model", values: ["large"] })
    expect(picked).toMatchObject({ callback: { type: 4 }, values: ["large"], original: { content: "Model set to large", ephemeral: false } })
    const done = await fake.waitFor(() => fake.interaction(picked.id)?.followUps[0], { what: "follow-up" })
    expect(done).toMatchObject({ content: "Only you see this", ephemeralTo: alice.id })
    expect(() => fake.select(alice, { channelId: general.id, messageId: msg.id, customId: "model", values: ["huge"] })).toThrow(/not options/)
    fake.ageInteraction(picked.id, 16 * 60 * 1000) // the token lives 15 min
    const expired = client.rest.patch(Routes.webhookMessage(client.application.id, picked.token, "@original"), { body: { content: "too late" }, auth: false })
    await expect(expired).rejects.toMatchObject({ code: 50027, status: 401 })
  })

  it("a callback after the 3 s deadline fails: the person saw 'This interaction failed'", async () => {
    const client = await login()
    const late = new Promise<unknown>((resolve) => {
      client.on(Events.InteractionCreate, async (i: Interaction) => {
        if (!i.isButton()) return
        await fake.waitFor((f) => f.interaction(i.id)?.status === "failed", { what: "deadline" })
        resolve(await i.deferUpdate().catch((e: unknown) => e))
      })
    })
    const msg = await withButtons(client, "slow")
    const result = await fake.click(alice, { channelId: general.id, messageId: msg.id, customId: "slow" })
    expect(result).toMatchObject({ status: "failed", failureText: "This interaction failed", callback: null })
    expect(await late).toMatchObject({ code: 10062, status: 404 })
    expect(fake.interaction(result.id)?.rejectedCallbacks).toMatchObject([{ type: 6, code: 10062 }])
  })

  it("guild slash commands: registered with guild.commands.set, deferred, then edited; autocomplete", async () => {
    const client = await login()
    await client.guilds.cache.get(guild.id)!.commands.set([
      { name: "ask", description: "Ask the agent", options: [{ type: ApplicationCommandOptionType.String, name: "prompt", description: "What", required: true }] },
      { name: "model", description: "Pick", options: [{ type: ApplicationCommandOptionType.String, name: "id", description: "Model", autocomplete: true }] },
      { name: "ping", description: "Ping" },
    ])
    expect(fake.commands(guild.id).map((c) => c.name)).toEqual(["ask", "model", "ping"])
    let gotPong: (content: string | undefined) => void = () => {}
    const pong = new Promise<string | undefined>((resolve) => (gotPong = resolve))
    client.on(Events.InteractionCreate, async (i: Interaction) => {
      if (i.isAutocomplete()) await i.respond([{ name: "gpt-small", value: "small" }])
      if (!i.isChatInputCommand()) return
      if (i.commandName === "ping") {
        const res = await i.reply({ content: "pong", withResponse: true }) // ?with_response=true → 200 with the message
        gotPong(res.resource?.message?.content)
        return
      }
      await i.deferReply()
      await i.editReply(`Answer to: ${i.options.getString("prompt", true)}`)
    })
    const asked = await fake.slashCommand(alice, { guildId: guild.id, channelId: general.id, name: "ask", options: { prompt: "why?" } })
    expect(asked.callback?.type).toBe(5)
    const answer = await fake.waitFor(() => fake.interaction(asked.id)?.original?.loading === false && fake.interaction(asked.id)?.original)
    expect(answer).toMatchObject({ content: "Answer to: why?", type: 20, author: { id: fake.bot.id } })
    const ac = await fake.autocomplete(alice, { channelId: general.id, name: "model", focused: "id", options: { id: "gp" } })
    expect(ac).toMatchObject({ callback: { type: 8 }, choices: [{ name: "gpt-small", value: "small" }] })
    const ping = await fake.slashCommand(alice, { channelId: general.id, name: "ping" })
    expect(ping.callback).toMatchObject({ type: 4, withResponse: true })
    expect(await pong).toBe("pong")
  })
})

describe("rate limits", () => {
  beforeEach(async () => {
    await fake.close()
    await setup({ rateLimits: { messages: { limit: 5, windowMs: 2000 } } })
  })

  it("headers on every message write: shared POST/PATCH bucket, 5 per window by default table", async () => {
    const res = await fetch(`${fake.apiUrl}/v10/channels/${general.id}/messages`, {
      method: "POST",
      headers: { Authorization: `Bot ${fake.bot.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ content: "hi" }),
    })
    expect(res.headers.get("x-ratelimit-limit")).toBe("5")
    expect(res.headers.get("x-ratelimit-remaining")).toBe("4")
    expect(Number(res.headers.get("x-ratelimit-reset-after"))).toBeGreaterThan(1)
    expect(Number(res.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000)
    const { id } = (await res.json()) as { id: string }
    const edit = await fetch(`${fake.apiUrl}/v10/channels/${general.id}/messages/${id}`, {
      method: "PATCH",
      headers: { Authorization: `Bot ${fake.bot.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ content: "hi!" }),
    })
    expect(edit.headers.get("x-ratelimit-bucket")).toBe(res.headers.get("x-ratelimit-bucket"))
    expect(edit.headers.get("x-ratelimit-remaining")).toBe("3")
  })

  it("a 6th write in the window: discord.js waits Reset-After by itself, so no 429 is answered (trap 23)", async () => {
    const client = await login()
    const waits: number[] = []
    client.rest.on("rateLimited", (info) => waits.push(info.retryAfter))
    const msg = await text(client, general.id).send("v0")
    for (let i = 1; i <= 5; i++) await msg.edit(`v${i}`)
    expect(fake.message(general.id, msg.id)?.content).toBe("v5")
    expect(waits).toHaveLength(1)
    expect(fake.stats().rateLimited.total).toBe(0)
  })

  it("a real 429 (bucket spent by another process of the same bot): discord.js waits Retry-After and completes", async () => {
    const client = await login()
    const msg = await text(client, general.id).send("v0")
    const other = new REST({ api: fake.apiUrl }).setToken(fake.bot.token)
    for (let i = 0; i < 4; i++) await other.patch(Routes.channelMessage(general.id, msg.id), { body: { content: `other ${i}` } })
    const limited = fake.waitFor(() => fake.requests().find((r) => r.status === 429), { what: "a 429" })
    await msg.edit("mine")
    const r429 = await limited
    expect(r429).toMatchObject({ method: "PATCH", intercepted: "rate-limit", bucket: `messages:${general.id}` })
    expect(fake.stats().rateLimited).toMatchObject({ total: 1, byBucket: { [`messages:${general.id}`]: 1 } })
    expect(fake.message(general.id, msg.id)?.content).toBe("mine")
  })

  it("rejectOnRateLimit turns a forced 429 into a RateLimitError; the 429 body is Discord's", async () => {
    const client = await login({ rest: { rejectOnRateLimit: ["/channels"] } })
    const msg = await text(client, general.id).send("v0")
    fake.forceRateLimit({ route: "PATCH /channels/", count: 1, retryAfterMs: 700 })
    const err = await msg.edit("v1").catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RateLimitError)
    expect(err).toMatchObject({ global: false, method: "PATCH" })
    expect((err as RateLimitError).retryAfter).toBeGreaterThanOrEqual(700) // Retry-After plus discord.js's 50 ms offset
    fake.forceRateLimit({ route: "POST /channels/", count: 1, retryAfterMs: 250 })
    const raw = await fetch(`${fake.apiUrl}/v10/channels/${general.id}/messages`, {
      method: "POST",
      headers: { Authorization: `Bot ${fake.bot.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ content: "x" }),
    })
    expect(raw.status).toBe(429)
    expect(raw.headers.get("retry-after")).toBe("0.25")
    expect(raw.headers.get("x-ratelimit-scope")).toBe("user")
    expect(raw.headers.has("x-ratelimit-global")).toBe(false)
    expect(await raw.json()).toEqual({ message: "You are being rate limited.", retry_after: 0.25, global: false })
    fake.forceRateLimit({ route: "GET /channels/", count: 1, retryAfterMs: 100, global: true })
    const global = await fetch(`${fake.apiUrl}/v10/channels/${general.id}`, { headers: { Authorization: `Bot ${fake.bot.token}` } })
    expect([global.status, global.headers.get("x-ratelimit-global"), global.headers.get("x-ratelimit-scope")]).toEqual([429, "true", "global"])
    expect(fake.stats().rateLimited).toMatchObject({ forced: 3, total: 3 })
  })

  it("edits of a message older than 1 h hit 30046", async () => {
    const client = await login()
    const msg = await text(client, general.id).send("old")
    fake.ageMessage(general.id, msg.id, 2 * 60 * 60 * 1000)
    for (let i = 0; i < 3; i++) await msg.edit(`edit ${i}`)
    await expect(msg.edit("one too many")).rejects.toMatchObject({ code: 30046, status: 400 })
    expect(fake.stats().rateLimited.oldMessageEdits).toBe(1)
  })
})

describe("reconnects", () => {
  it("an abrupt drop: discord.js RESUMEs and gets the missed dispatches once", async () => {
    const client = await login()
    const seen: string[] = []
    client.on(Events.MessageCreate, (m) => void seen.push(m.content))
    const before = next(client, Events.MessageCreate)
    fake.postAs(alice, { channelId: general.id, content: "before" })
    await before
    const resumed = next(client, Events.ShardResume)
    fake.dropGateway()
    fake.postAs(alice, { channelId: general.id, content: "while away" })
    const [, replayed] = await resumed
    expect(replayed).toBeGreaterThanOrEqual(1) // discord.js counts the replayed MESSAGE_CREATE (and RESUMED)
    const after = next(client, Events.MessageCreate, (m) => m.content === "after")
    fake.postAs(alice, { channelId: general.id, content: "after" })
    await after
    expect(seen).toEqual(["before", "while away", "after"])
    expect(fake.stats().gateway).toMatchObject({ identifies: 1, resumes: 1, connects: 2 })
  })

  it("close 4000, op 7, op 9 (resumable) and a zombie connection all end in RESUME", async () => {
    await fake.close()
    await setup({ heartbeatIntervalMs: 250 })
    const client = await login()
    const resumes = () => fake.stats().gateway.resumes
    // Relative counts: on a busy machine an extra (spurious) resume must not break the test.
    const resumed = async (act: () => void, what: string) => {
      const before = resumes()
      act()
      await fake.waitFor(() => resumes() > before, { what })
    }
    await resumed(() => fake.dropGateway({ code: 4000 }), "resume after 4000")
    await resumed(() => fake.requestReconnect(), "resume after op 7")
    expect(fake.stats().gateway.closeCodes).toContain(4200)
    await resumed(() => fake.invalidateSession(true), "resume after op 9 true")
    await resumed(() => fake.setHeartbeatAck(false), "resume after a zombie connection")
    fake.setHeartbeatAck(true)
    const arrived = next(client, Events.MessageCreate)
    fake.postAs(alice, { channelId: general.id, content: "still here" })
    expect((await arrived)[0].content).toBe("still here")
    expect(fake.stats().gateway.identifies).toBe(1)
  })

  it("op 9 (not resumable): re-IDENTIFY; what was missed is fetched with messages.fetch({after})", async () => {
    const client = await login()
    const last = await text(client, general.id).send("last seen")
    const again = next(client, Events.ShardReady, () => true, 15_000)
    fake.invalidateSession(false)
    fake.postAs(alice, { channelId: general.id, content: "missed 1" })
    fake.postAs(alice, { channelId: general.id, content: "missed 2" })
    await again // the identify throttle makes this take about 5 s (trap 18)
    expect(fake.stats().gateway).toMatchObject({ identifies: 2, resumes: 0 })
    const missed = await text(client, general.id).messages.fetch({ after: last.id })
    expect([...missed.values()].map((m) => m.content)).toEqual(["missed 2", "missed 1"]) // newest first, as Discord
  }, 20_000)

  it("a refused gateway: discord.js keeps retrying and RESUMEs once it is back", async () => {
    await login()
    fake.refuseGateway(true)
    fake.dropGateway()
    await fake.waitFor(() => fake.stats().gateway.open === 0)
    fake.refuseGateway(false)
    await fake.waitFor(() => fake.stats().gateway.resumes === 1, { what: "resume after refusal" })
  })
})

describe("trap 24: op 9 while RESUMED is processed", () => {
  const script = fileURLToPath(new URL("./trap24-client.ts", import.meta.url))

  function child(env: Record<string, string>) {
    const proc = spawn(process.execPath, [script], { env: { ...process.env, FAKE_API_URL: fake.apiUrl, FAKE_BOT_TOKEN: fake.bot.token, ...env } })
    children.push(proc)
    const out = { stdout: "", stderr: "" }
    const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)))
    const printed = (line: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => out.stdout.includes(line) && (proc.stdout.off("data", check), resolve())
        proc.stdout.on("data", check)
        void exited.then((code) => reject(new Error(`child exited (${code}) before printing ${line}: ${out.stderr}`)))
      })
    proc.stdout.on("data", (d: Buffer) => (out.stdout += d.toString()))
    proc.stderr.on("data", (d: Buffer) => (out.stderr += d.toString()))
    return { proc, out, exited, printed }
  }

  it("kills an unguarded discord.js 14.28.1 with a TypeError", async () => {
    const c = child({})
    await c.printed("READY")
    fake.raceInvalidSessionWithResumed()
    fake.dropGateway({ code: 4000 })
    expect(await c.exited).toBe(1)
    expect(c.out.stderr).toMatch(/TypeError: Cannot read properties of null \(reading 'sequence'\)/)
  })

  it("a process-level guard survives it and the client re-identifies", async () => {
    const c = child({ CRASH_GUARD: "1" })
    await c.printed("READY")
    fake.raceInvalidSessionWithResumed()
    fake.dropGateway({ code: 4000 })
    await fake.waitFor(() => fake.stats().gateway.identifies === 2 && fake.stats().gateway.open === 1, { what: "re-identify", timeoutMs: 15_000 })
    expect(c.out.stdout).toMatch(/GUARD caught TypeError: Cannot read properties of null \(reading 'sequence'\)/)
  })
})
