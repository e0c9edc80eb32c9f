// The adapter contract (test/harness/contracts) applied to every adapter with a platform:
// the in-memory platform and Mattermost (real client library against the fake server).
import { MemoryAdapter } from "../../adapters/memory/adapter.ts"
import { MattermostAdapter } from "../../adapters/mattermost/adapter.ts"
import { startHttpServer } from "../../src/app/http.ts"
import { RateLimitError } from "../../src/chat/errors.ts"
import { silentLogger } from "../../src/log/logger.ts"
import { freePort } from "../../src/runtime/embedded-server.ts"
import { describeAdapterContract } from "../harness/contracts/adapter-contract.ts"
import { startFakeMattermost } from "../harness/mattermost/index.ts"

describeAdapterContract("memory", async (sink) => {
  const adapter = new MemoryAdapter()
  await adapter.start(sink)
  const thread = adapter.thread()
  const person = { id: "u1", name: "alice", isBot: false }
  let seq = 0
  const base = () => ({ platform: "memory", workspace: "w1", channel: "c1", space: "channel" as const, thread, user: person, id: `e${++seq}`, at: Date.now() })
  return {
    adapter,
    thread,
    shown: (ref) => {
      const m = adapter.messages.get(ref)
      return m && !m.deleted ? m.text : undefined
    },
    rateLimitNext: () => adapter.refuseNext(new RateLimitError("memory", 1_000, "channel")),
    userMentions: async (text) => {
      await adapter.send({ ...base(), kind: "message", message: `${thread}:u${seq}`, text, files: [], mentioned: true, threadStart: true })
    },
    botPostsDirectly: async (text) => {
      await adapter.post(thread, { text })
    },
    click: async (ref, actionId) => {
      await adapter.send({ ...base(), kind: "action", message: ref, actionId })
    },
    ephemeralsOfClicker: () => adapter.ephemerals(person.id).map((m) => m.text),
    close: () => adapter.stop(),
  }
})

describeAdapterContract("mattermost", async (sink) => {
  const fake = await startFakeMattermost()
  const alice = fake.addUser({ username: "alice" })
  const team = fake.addTeam({ name: "eng", members: [fake.bot.id, alice.id] })
  const channel = fake.addChannel({ teamId: team.id, name: "agents", type: "O", members: [fake.bot.id, alice.id] })
  const port = await freePort()
  const adapter = new MattermostAdapter({
    url: fake.url,
    token: fake.bot.token,
    publicUrl: `http://127.0.0.1:${port}`,
    secret: "contract-test-secret-123",
    log: silentLogger,
    webSocket: { minRetryMs: 200, jitterMs: 10 },
  })
  const http = await startHttpServer({ host: "127.0.0.1", port, routes: adapter.routes(), health: () => ({ ok: true }), log: silentLogger })
  await adapter.start(sink)
  const root = fake.postAs(alice.id, { channel_id: channel.id, message: "a thread to work in" })
  const thread = `mattermost:${team.id}:${channel.id}:${root.id}`
  const postOf = (ref: string) => ref.split(":")[2]!
  return {
    adapter,
    thread,
    shown: (ref) => {
      const p = fake.post(postOf(ref))
      return p && !p.deleted ? p.message : undefined
    },
    rateLimitNext: () => fake.forceRateLimit(1),
    userMentions: (text) => void fake.postAs(alice.id, { channel_id: channel.id, message: `@switchboard ${text}` }),
    botPostsDirectly: (text) => void fake.postAs(fake.bot.id, { channel_id: channel.id, message: text }),
    click: async (ref, actionId) => {
      const post = postOf(ref)
      const aid = ["a0", "a1", "a2", "a3", "a4"].find((a) => (fake.contextOf(post, a) as { action?: string } | undefined)?.action === actionId)
      if (!aid) throw new Error(`no button with action ${actionId} on ${post}`)
      await fake.click(post, aid, alice.id)
    },
    ephemeralsOfClicker: () => fake.ephemerals(alice.id).map((p) => p.message),
    close: async () => {
      await adapter.stop()
      await http.close()
      await fake.close()
    },
  }
})
