// The relay as a real process (`switchboard start`) with Mattermost, killed with SIGKILL at
// the worst moments and started again: the turn finishes in the same posts with nothing posted
// twice; a waiting permission keeps its buttons working; a deadline that passed during the
// outage rejects at once and the post says so.
import Database from "better-sqlite3"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { bash, text } from "../harness/model-server/index.ts"
import { startMattermostRelay, type MattermostRelay } from "../harness/mattermost-relay.ts"
import { deferred } from "../harness/wait.ts"

function prose(paragraphs: number): string {
  return Array.from({ length: paragraphs }, (_, i) => `Paragraph ${i + 1}. The relay keeps streaming this answer even when it is killed and started again, and every word arrives once.`).join("\n\n")
}

const FOOTER = /\n\n_fake-model · [^\n]*_$/

describe("relay process restarts", () => {
  let h: MattermostRelay
  beforeAll(async () => {
    h = await startMattermostRelay({ timeoutSeconds: 300 })
  })
  afterAll(async () => {
    await h?.close()
  })
  afterEach(async () => {
    await h?.kill("SIGTERM")
  })

  it("SIGKILL mid-stream: after a restart the turn finishes in the same posts, nothing posted twice", async () => {
    await h.startProcess()
    const answer = prose(60) // ~7 KB: three posts at the 3,000-character soft limit
    const gate = deferred()
    const marker = h.model.script([text(answer, { chunk: 12, delayMs: 2 })], { afterChunks: 120, wait: gate.promise })
    const root = h.say(h.alice, `@switchboard ${marker} a long one`)
    const first = await h.mm.waitFor(() => h.botPosts(root.id)[0], { what: "the first answer post", timeoutMs: 30_000 })
    await h.kill("SIGKILL")
    gate.resolve() // the rest of the answer is produced while the relay is dead
    await h.model.whenIdle()
    await h.startProcess()
    await h.mm.waitFor(() => FOOTER.test(h.botPosts(root.id).at(-1)?.message ?? ""), { what: "the finished answer", timeoutMs: 60_000 })
    const posts = h.botPosts(root.id)
    expect(posts[0]!.id).toBe(first.id) // continued in the same post
    expect(posts.map((p) => p.message).join("\n\n").replace(FOOTER, "")).toBe(answer)
    expect(posts.length).toBe(3)
    expect(h.model.requests.filter((r) => r.marker === marker)).toHaveLength(1)
  })

  it("killed while a permission waits: after a restart the same buttons still work", async () => {
    await h.startProcess()
    const marker = h.model.script([bash("echo survived-a-restart"), text("It ran after the restart.")])
    const root = h.say(h.alice, `@switchboard ${marker} run it`)
    const ask = await h.mm.waitFor(() => h.buttonsIn(root.id), { what: "buttons", timeoutMs: 30_000 })
    await h.kill("SIGKILL")
    await h.startProcess()
    await h.mm.click(ask.post.id, ask.actions[0]!.id, h.carol.id)
    await h.mm.waitFor(() => h.botPosts(root.id).some((p) => p.message.includes("It ran after the restart.")) && FOOTER.test(h.botPosts(root.id).at(-1)!.message), {
      what: "the answer after the click",
      timeoutMs: 30_000,
    })
    expect(h.mm.post(ask.post.id)!.message).toContain("Allowed once by @carol")
    expect(h.botPosts(root.id).filter((p) => p.message.startsWith("🔐"))).toHaveLength(1)
  })

  it("a deadline that passed while the relay was down: rejected at once, and the post says so", async () => {
    await h.startProcess()
    const marker = h.model.script([bash("echo too-late-now"), text("Fine, I will not run it.")])
    const root = h.say(h.alice, `@switchboard ${marker} run it`)
    const ask = await h.mm.waitFor(() => h.buttonsIn(root.id), { what: "buttons", timeoutMs: 30_000 })
    await h.kill("SIGKILL")
    const db = new Database(h.config.storage.path)
    db.prepare("UPDATE interactions SET deadline = ? WHERE state = 'open'").run(Date.now() - 60_000)
    db.close()
    await h.startProcess()
    await h.mm.waitFor(() => h.mm.post(ask.post.id)!.message.includes("Nobody answered"), { what: "the expired request", timeoutMs: 30_000 })
    expect(h.mm.post(ask.post.id)!.message).toContain("Nobody answered within 5 min; rejected automatically.")
    await h.mm.waitFor(() => h.botPosts(root.id).some((p) => p.message.includes("Fine, I will not run it.")), { what: "the agent going on", timeoutMs: 30_000 })
  })
})
