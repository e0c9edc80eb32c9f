// A child-process discord.js client for reproducing trap 24 (README "Trap 24"): it logs in to the
// fake named by FAKE_API_URL / FAKE_BOT_TOKEN and prints one line per event. With
// CRASH_GUARD=1 it installs a process-level guard (as the relay does) and reports what it
// caught instead of dying; the identify throttle is then skipped, since it is unrelated to the
// race and would only add ~5 s before the re-IDENTIFY. Run by fake-discord.test.ts.
import { Events } from "discord.js"
import { fakeDiscordClient, loginToFake } from "./client.ts"

const apiUrl = process.env.FAKE_API_URL
const token = process.env.FAKE_BOT_TOKEN
if (!apiUrl || !token) throw new Error("trap24-client: set FAKE_API_URL and FAKE_BOT_TOKEN")
const guarded = process.env.CRASH_GUARD === "1"

if (guarded) {
  process.on("uncaughtException", (err) => console.log(`GUARD caught ${String(err)}`))
  process.on("unhandledRejection", (err) => console.log(`GUARD caught ${String(err)}`))
}

const client = fakeDiscordClient(
  { apiUrl },
  guarded ? { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: () => Promise.resolve() }) } } : {},
)
client.on(Events.ShardResume, () => console.log("EVENT resumed"))
client.on(Events.ShardReady, () => console.log("EVENT shardReady"))
await loginToFake(client, { bot: { token } })
console.log("READY")
