// The adapter contract (test/harness/contracts) applied to Slack: the real @slack/bolt in Socket
// Mode against the in-repo fake Slack (test/harness/slack).
import { SlackAdapter } from "../../adapters/slack/adapter.ts"
import { silentLogger } from "../../src/log/logger.ts"
import { describeAdapterContract } from "../harness/contracts/adapter-contract.ts"
import { webClientFor } from "../harness/slack/bolt.ts"
import { startFakeSlack, type MessageView } from "../harness/slack/index.ts"

/** What a person reads: our markdown blocks (buttons aside), else the message's text. */
function shown(m: MessageView | undefined): string | undefined {
  if (!m || m.deleted) return undefined
  const md = m.blocks.filter((b) => b.type === "markdown").map((b) => String(b.text))
  return md.length > 0 ? md.join("\n") : m.rendered
}

describeAdapterContract("slack", async (sink) => {
  const fake = await startFakeSlack()
  const alice = fake.addUser({ name: "alice" })
  const town = fake.addChannel({ name: "agents", members: [alice] })
  const adapter = new SlackAdapter({
    botToken: fake.bot.token,
    appToken: fake.bot.appToken,
    apiUrl: fake.url,
    log: silentLogger,
    socket: { clientPingTimeoutMs: 1500, reconnectInitialMs: 100, reconnectMaxMs: 500 },
  })
  await adapter.start(sink)
  const root = fake.postAs(alice, { channel: town, text: "a thread to work in" })
  const thread = `slack:${fake.team.id}:${town.id}:${root.ts}`
  const tsOf = (ref: string) => ref.split(":")[2]!
  const bot = webClientFor(fake)
  return {
    adapter,
    thread,
    recipient: { user: alice.id, workspace: fake.team.id },
    shown: (ref) => shown(fake.message(town, tsOf(ref))),
    rateLimitNext: () => fake.forceRateLimit("chat.update", 1, 1),
    userMentions: (text) => void fake.postAs(alice, { channel: town, text: `<@${fake.bot.userId}> ${text}` }),
    botPostsDirectly: async (text) => {
      await bot.chat.postMessage({ channel: town.id, text })
    },
    click: async (ref, actionId) => {
      await fake.click(alice, { channel: town, ts: tsOf(ref), actionId })
    },
    // Answers go to the response_url after the ack, so the first note may still be on its way.
    ephemeralsOfClicker: async () => {
      await fake.waitFor((f) => f.ephemerals(alice).length > 0, { timeoutMs: 5_000, what: "a private note" }).catch(() => {})
      return fake.ephemerals(alice).map((e) => e.text)
    },
    close: async () => {
      await adapter.stop()
      await fake.close()
    },
  }
})
