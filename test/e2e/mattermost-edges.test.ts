// Mattermost edge cases end to end (real OpenCode, real @mattermost/client, the fake server):
// a bot named in allowBots gets answers while other bots do not; the "text" verbosity shows
// the answer only; a thread deleted while its answer streams stops that turn cleanly.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { text } from "../harness/model-server/index.ts"
import { startMattermostRelay, type MattermostRelay } from "../harness/mattermost-relay.ts"
import { deferred } from "../harness/wait.ts"

describe("Mattermost edge cases", () => {
  let h: MattermostRelay
  let ciBot: MattermostRelay["alice"]
  let otherBot: MattermostRelay["alice"]

  beforeAll(async () => {
    h = await startMattermostRelay({ access: { approve: { users: ["carol"] }, allowBots: ["ci-bot"] } })
    ciBot = h.mm.addUser({ username: "ci-bot", isBot: true })
    otherBot = h.mm.addUser({ username: "other-bot", isBot: true })
    for (const u of [ciBot, otherBot]) h.mm.addChannelMember(h.channel.id, u.id)
    await h.start()
  })
  afterAll(async () => {
    await h?.close()
  })

  it("/metrics shows the counters moving for a streamed answer and a 429", async () => {
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${h.port}/metrics`)
      expect(res.status).toBe(200)
      const text = await res.text()
      const value = (name: string) =>
        text
          .split("\n")
          .filter((l) => l.startsWith(name) && !l.startsWith("#"))
          .reduce((n, l) => n + Number(l.split(" ").at(-1)), 0)
      return {
        started: value('switchboard_turns_started_total{platform="mattermost"}'),
        done: value('switchboard_turns_finished_total{platform="mattermost",state="done"}'),
        edits: value('switchboard_edits_sent_total{platform="mattermost"}'),
        posts: value('switchboard_posts_sent_total{platform="mattermost"}'),
        limited: value('switchboard_rate_limited_total{platform="mattermost"}'),
        firstText: value('switchboard_first_text_seconds_count{platform="mattermost"}'),
        staleness: value('switchboard_staleness_seconds_count{platform="mattermost"}'),
        connected: value("switchboard_runtime_stream_connected"),
      }
    }
    const before = await scrape()
    const reached = deferred()
    const gate = deferred()
    const marker = h.model.script([text("Counted words. ".repeat(120), { chunk: 12, delayMs: 3 })], { afterChunks: 20, wait: gate.promise, reached: reached.resolve })
    const root = h.say(h.alice, `@switchboard ${marker} count`)
    await reached.promise
    await h.mm.waitFor(() => h.botPosts(root.id).length > 0, { what: "the first post" })
    h.mm.forceRateLimit(1, { retryAfterSec: 1 })
    const done = h.turnFinished(root.id)
    gate.resolve()
    await done
    const after = await scrape()
    expect(after.started - before.started).toBe(1)
    expect(after.done - before.done).toBe(1)
    expect(after.posts - before.posts).toBeGreaterThanOrEqual(1)
    expect(after.edits - before.edits).toBeGreaterThanOrEqual(1)
    expect(after.limited - before.limited).toBe(1)
    expect(after.firstText - before.firstText).toBe(1)
    expect(after.staleness - before.staleness).toBeGreaterThanOrEqual(2)
    expect(after.connected).toBe(1)
    // Only loopback may scrape without a token: the relay answers others 403 (checked in unit tests).
  })

  it("a bot listed in allowBots is answered; any other bot is not", async () => {
    const ignored = h.model.script([text("Never said.")])
    const ignoredRoot = h.say(otherBot, `@switchboard ${ignored} build broke`)
    const marker = h.model.script([text("Looking into the CI failure.")])
    const root = h.say(ciBot, `@switchboard ${marker} build broke`)
    await h.turnFinished(root.id)
    expect(h.botPosts(root.id).map((p) => p.message).join("\n")).toContain("Looking into the CI failure.")
    expect(h.botPosts(ignoredRoot.id)).toHaveLength(0)
    expect(h.model.requests.some((r) => r.marker === ignored)).toBe(false)
  })

  it("the text verbosity shows the answer only: no tool lines, no footer", async () => {
    h.relay.repos.channels.save({ platform: "mattermost", channel: h.channel.id, directory: undefined, model: undefined, agent: undefined, verbosity: "text", updatedAt: Date.now(), updatedBy: "test" })
    try {
      const marker = h.model.script([text("Just the answer.")])
      const root = h.say(h.alice, `@switchboard ${marker} quietly`)
      await h.turnFinished(root.id)
      expect(h.botPosts(root.id).map((p) => p.message)).toEqual(["Just the answer."])
    } finally {
      h.relay.repos.db.prepare("DELETE FROM channel_settings").run()
    }
  })

  it("a thread deleted while its answer streams stops that turn; nothing is retried at it", async () => {
    const reached = deferred()
    const gate = deferred()
    const marker = h.model.script([text("First words. ".repeat(300), { chunk: 10, delayMs: 20 })], { afterChunks: 30, wait: gate.promise, reached: reached.resolve })
    const root = h.say(h.alice, `@switchboard ${marker} a long one`)
    await reached.promise
    await h.mm.waitFor(() => h.botPosts(root.id).length > 0, { what: "the first answer post" })
    const outbox = h.relay.surfaces[0]!.outbox
    const failuresBefore = outbox.stats.failures
    const requestsBefore = h.mm.stats().requests
    const res = await fetch(`${h.mm.url}/api/v4/posts/${root.id}`, { method: "DELETE", headers: { authorization: `Bearer ${h.alice.token}` } })
    expect(res.status).toBe(200)
    const done = h.turnFinished(root.id)
    gate.resolve()
    await done
    const turn = h.relay.repos.db.prepare("SELECT state FROM turns WHERE thread LIKE ? ORDER BY id DESC").get(`%:${root.id}`) as { state: string }
    expect(turn.state).toBe("failed")
    expect(outbox.stats.failures).toBe(failuresBefore) // no "giving up" errors
    // A post into the deleted thread was tried at most once or twice (edit, then the continuation post).
    const writes = h.mm.requests().slice(requestsBefore).filter((r) => r.method !== "GET" && r.path.includes("/posts"))
    expect(writes.length).toBeLessThanOrEqual(4)
    // The runtime was told to stop: the model's stream was cut off.
    await h.model.whenIdle()
    expect(h.model.requests.find((r) => r.marker === marker)!.disconnected).toBe(true)
  })
})
