// Builds a real discord.js Client pointed at a fake Discord: `rest.api` without /v10 (trap 16),
// short REST timeouts, the partials DMs need, and its own undici 6 Agent so a process that also
// loads @slack/bolt (undici 8 replaces the global dispatcher) can still upload files (trap 19).
// `loginToFake` logs in and resolves at ClientReady, or rejects with the gateway's reason.
import { createRequire } from "node:module"
import { Client, Events, GatewayIntentBits, Partials, type ClientOptions, type RESTOptions } from "discord.js"

/** What the relay needs: guild and DM messages with content, reactions, typing in guilds. */
export const TEST_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.GuildMessageReactions,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.DirectMessageReactions,
]

type Agent = NonNullable<RESTOptions["agent"]>

/** An Agent from the undici copy @discordjs/rest itself resolves (6.x), never the top-level undici 8. */
export function discordRestAgent(): Agent {
  const fromHere = createRequire(import.meta.url)
  const fromRest = createRequire(fromHere.resolve("@discordjs/rest"))
  const undici = fromRest("undici") as { Agent: new () => Agent }
  return new undici.Agent()
}

export interface FakeClientOptions extends Partial<Omit<ClientOptions, "rest">> {
  rest?: Partial<RESTOptions>
}

export function fakeDiscordClient(fake: { apiUrl: string }, opts: FakeClientOptions = {}): Client {
  const { rest, ...rest_ } = opts
  return new Client({
    intents: TEST_INTENTS,
    // Channel: DMs arrive for channels discord.js never cached; Message: reactions on uncached messages.
    partials: [Partials.Channel, Partials.Message],
    ...rest_,
    rest: { api: fake.apiUrl, retries: 1, timeout: 5000, agent: discordRestAgent(), ...rest },
  })
}

/**
 * Logs in and resolves once ClientReady fired. A fatal gateway close (4004, 4013, 4014…) rejects
 * with discord.js's own error (e.g. "Used disallowed intents").
 */
export async function loginToFake(client: Client, fake: { bot: { token: string } }, timeoutMs = 10_000): Promise<Client<true>> {
  let timer: NodeJS.Timeout | undefined
  const ready = new Promise<Client<true>>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`discord.js did not become ready within ${timeoutMs} ms`)), timeoutMs)
    client.once(Events.ClientReady, (c) => {
      clearTimeout(timer)
      resolve(c)
    })
  })
  try {
    await client.login(fake.bot.token)
  } catch (err) {
    clearTimeout(timer)
    throw err
  }
  return ready
}
