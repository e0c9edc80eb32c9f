// The discord.js Client as the relay needs it (docs/discord.md): the intents and partials, REST
// pointed at `apiUrl` with a bounded timeout, no retries of its own, rate limits on channel
// writes thrown (the outbox owns retries) and its own undici Agent (trap 19); login failures as
// sentences saying what to fix; and the guard for discord.js's RESUMED/op 9 race (trap 24).
import { createRequire } from "node:module"
import { setTimeout as sleep } from "node:timers/promises"
import { Client, Events, GatewayIntentBits, Options, Partials, type RateLimitData, type RESTOptions } from "discord.js"
import type { Logger } from "../../src/log/logger.ts"
import { withDeadline } from "../../src/timing/deadline.ts"
import { LIMITS } from "./limits.ts"

/** Guild and DM messages with their content, reactions on both, and guild structure (channels, threads, roles). */
export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.GuildMessageReactions,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.DirectMessageReactions,
]

type Agent = NonNullable<RESTOptions["agent"]>

/**
 * An Agent from the undici copy @discordjs/rest resolves (6.x). Loading @slack/bolt in the same
 * process installs undici 8 as the global dispatcher, which breaks discord.js uploads (trap 19).
 */
export function restAgent(): Agent {
  const here = createRequire(import.meta.url)
  const fromRest = createRequire(here.resolve("@discordjs/rest"))
  const undici = fromRest("undici") as { Agent: new () => Agent }
  return new undici.Agent()
}

/**
 * Writes to channels (messages, reactions, typing, threads) throw a RateLimitError instead of
 * waiting, both for a real 429 and for discord.js's own wait when a bucket is spent: the outbox
 * pauses that bucket and its next try carries the newest text, and nothing is sent twice. Reads
 * and interaction answers (which Discord does not limit per channel) queue inside discord.js.
 */
export function rejectsOnRateLimit(data: RateLimitData): boolean {
  return data.route.startsWith("/channels/") && data.method.toUpperCase() !== "GET"
}

/** One identify per `intervalMs` (Discord's own rule is one per 5 s per concurrency bucket). */
function identifyThrottler(intervalMs: number) {
  let next = 0
  return {
    async waitForIdentify(_shard: number, signal: AbortSignal): Promise<void> {
      const now = Date.now()
      const wait = next - now
      next = Math.max(now, next) + intervalMs
      if (wait > 0) await sleep(wait, undefined, { signal })
    },
  }
}

export interface ClientSettings {
  apiUrl: string
  restTimeoutMs: number
  identifyIntervalMs?: number
}

export function createClient(s: ClientSettings): Client {
  const interval = s.identifyIntervalMs
  return new Client({
    intents: INTENTS,
    // Channel: DMs and uncached threads; Message, Reaction, User: reactions on messages from before a restart.
    partials: [Partials.Channel, Partials.Message, Partials.Reaction, Partials.User],
    // The default for what discord.js itself sends (interaction answers): the agent's text pings nobody.
    allowedMentions: { parse: [], repliedUser: false },
    failIfNotExists: false,
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 50 }),
    rest: { api: s.apiUrl, timeout: s.restTimeoutMs, retries: LIMITS.restRetries, agent: restAgent(), rejectOnRateLimit: rejectsOnRateLimit },
    ...(interval !== undefined ? { ws: { buildIdentifyThrottler: () => identifyThrottler(interval) } } : {}),
  })
}

/** Gateway and token failures as what to do about them. */
export function loginError(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err)
  if (/disallowed intents/i.test(message)) {
    return new Error(
      "discord: the bot is not allowed the Message Content intent (gateway close 4014). Enable it in the Developer Portal → your application → Bot → Privileged Gateway Intents → “Message Content Intent”, save, and start again.",
      { cause: err },
    )
  }
  if (/invalid token|authentication failed|TokenInvalid|401/i.test(message)) {
    return new Error(
      "discord: the bot token was rejected (HTTP 401 / gateway close 4004). Copy a new one from the Developer Portal → your application → Bot → Reset Token into DISCORD_TOKEN.",
      { cause: err },
    )
  }
  return new Error(`discord: could not connect to the gateway: ${message}`, { cause: err })
}

/**
 * Logs in and waits for ClientReady. A refused token or intent rejects with `loginError`; when the
 * gateway is merely slow, resolves false after `timeoutMs` while discord.js keeps connecting.
 */
export async function login(client: Client, token: string, timeoutMs: number): Promise<boolean> {
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()))
  const loggedIn = client.login(token).catch((err: unknown) => {
    throw loginError(err)
  })
  const outcome = await withDeadline(Promise.all([loggedIn, ready]), timeoutMs)
  if (!outcome.done) loggedIn.catch(() => {})
  return outcome.done
}

interface PacketHandling {
  handlePacket?: (packet?: { t?: string }, shard?: { id?: number; sessionInfo?: unknown }) => boolean
}

/**
 * Trap 24 (docs/discord.md): when op 9 (invalid session) lands while RESUMED is handled,
 * discord.js 14.28.1 reads the sequence of a session it has just dropped and the TypeError
 * escapes as an unhandled rejection. A RESUMED for a shard without a session is stale, so it is
 * skipped here; discord.js then re-identifies and the adapter catches up by history (missed.ts).
 * The relay's process-level guard stays as the second line.
 */
export function guardResumeRace(client: Client, log: Logger): boolean {
  const ws = client.ws as unknown as PacketHandling
  const original = ws.handlePacket
  if (typeof original !== "function") {
    log.warn("discord.js changed its gateway internals: the RESUMED/op 9 guard (trap 24) is not installed")
    return false
  }
  ws.handlePacket = function (this: unknown, packet, shard) {
    if (packet?.t === "RESUMED" && shard && shard.sessionInfo == null) {
      log.warn({ shard: shard.id }, "Discord invalidated the session while it resumed (trap 24); discord.js re-identifies")
      return true
    }
    return original.call(this, packet, shard)
  }
  return true
}
