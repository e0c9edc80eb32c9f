// Conversations and persistence against the real OpenCode server and the in-memory platform:
// bindings survive restarts, approvals follow the access rules exactly once, stale sessions
// heal, follow-ups queue in order, and bad input gets clear answers.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { REFUSALS } from "../../src/core/interactions/service.ts"
import { NOT_ALLOWED_TO_PROMPT, NOT_YOUR_THREAD } from "../../src/core/conversations/inbound.ts"
import { bash, hang, question, text } from "../harness/model-server/index.ts"
import { startRelayHarness, type RelayHarness } from "../harness/relay.ts"
import { deferred } from "../harness/wait.ts"
import { openRepositories } from "../../src/storage/repositories.ts"

describe("conversations", () => {
  let h: RelayHarness
  const alice = { id: "u-alice", name: "alice", isBot: false }
  const bob = { id: "u-bob", name: "bob", isBot: false }
  const carol = { id: "u-carol", name: "carol", isBot: false, groups: ["reviewers"] }
  const mallory = { id: "u-mallory", name: "mallory", isBot: false }

  beforeAll(async () => {
    h = await startRelayHarness({
      timeoutMs: 60_000,
      access: {
        prompt: { users: ["alice", "bob", "carol"] },
        approve: { groups: ["reviewers"] },
        // Owners answer their own threads' requests here (the default with approvers is no).
        ownersApprove: true,
      },
    })
  })
  afterAll(async () => {
    await h?.close()
  })

  const requestsFor = (marker: string) => h.model.requests.filter((r) => r.marker === marker)
  const binding = (thread: string) => h.relay.repos.bindings.get(thread)

  it("a thread stays bound to its session across a relay restart", async () => {
    const first = h.model.script([text("First answer.")])
    const { thread } = await h.mention(alice, `${first} remember the word PELICAN`)
    await h.turnDone(thread)
    const sessionID = binding(thread)!.sessionID
    await h.restart()
    const second = h.model.script([text("You said PELICAN.")])
    await h.reply(alice, thread, `${second} what was the word?`)
    await h.turnDone(thread, 1)
    expect(binding(thread)!.sessionID).toBe(sessionID)
    // The runtime got the earlier exchange as context: it is the same session.
    const req = requestsFor(second)[0]!
    expect(JSON.stringify(req.body.messages)).toContain("remember the word PELICAN")
    expect(h.transcript(thread)).toContain("You said PELICAN.")
  })

  it("the wrong person's click is refused and logged; a double click answers once", async () => {
    const marker = h.model.script([bash("echo approvals"), text("Ran it.")])
    const { thread } = await h.mention(alice, `${marker} run it`)
    const ask = await h.waitFor(() => h.actionMessage(thread), "buttons")
    const once = ask.actions!.find((a) => a.label === "Allow once")!.id
    expect(await h.click(mallory, thread, ask.ref, once)).toEqual({ ephemeral: REFUSALS.notAllowed("@alice or an approver") })
    const refused = h.relay.repos.audit.recent(5).find((e) => e.userID === mallory.id)
    expect(refused).toMatchObject({ action: "permission.click", allowed: false })
    expect(h.relay.store.pending().permissions).toHaveLength(1) // no reply went to the runtime
    const [a, b] = await Promise.all([h.click(carol, thread, ask.ref, once), h.click(alice, thread, ask.ref, once)])
    expect([a, b]).toContainEqual({})
    expect([a, b]).toContainEqual({ ephemeral: REFUSALS.alreadyAnswered("@carol") })
    await h.turnDone(thread)
    expect(h.transcript(thread)).toContain("Allowed once by @carol")
    expect(h.transcript(thread)).toContain("Ran it.")
    expect(requestsFor(marker)).toHaveLength(2)
  })

  it("reactions and replies answer requests too", async () => {
    const marker = h.model.script([bash("touch reacted.txt"), question("Which color?", ["Red", "Blue"]), text("Touched and chose.")])
    const { thread } = await h.mention(alice, `${marker} go`)
    const ask = await h.waitFor(() => h.actionMessage(thread), "permission buttons")
    expect(await h.react(bob, thread, ask.ref, "white_check_mark")).toEqual({ ephemeral: REFUSALS.notAllowed("@alice or an approver") })
    await h.react(alice, thread, ask.ref, "white_check_mark")
    const q = await h.waitFor(() => h.actionMessage(thread)?.text.includes("Which color?") && h.actionMessage(thread), "question buttons")
    expect(q.actions!.map((x) => x.label)).toEqual(["Red", "Blue", "Dismiss"])
    await h.reply(alice, thread, "2")
    await h.turnDone(thread)
    const toolReply = JSON.stringify(requestsFor(marker).at(-1)!.body.messages)
    expect(toolReply).toContain("Blue")
    expect(h.transcript(thread)).toContain('Answered “Blue” by @alice')
  })

  it("a reply while a permission waits rejects it with the reply as feedback", async () => {
    const marker = h.model.script([bash("rm -rf build"), text("OK, I will use ls instead.")])
    const { thread } = await h.mention(alice, `${marker} clean up`)
    await h.waitFor(() => h.actionMessage(thread), "buttons")
    await h.reply(alice, thread, "no, use ls instead")
    await h.turnDone(thread)
    expect(JSON.stringify(requestsFor(marker).at(-1)!.body.messages)).toContain("use ls instead")
    expect(h.transcript(thread)).toContain("Rejected with feedback “no, use ls instead” by @alice")
  })

  it("after a restart the same buttons still work", async () => {
    const marker = h.model.script([bash("echo after-restart"), text("Done after restart.")])
    const { thread } = await h.mention(alice, `${marker} go`)
    const ask = await h.waitFor(() => h.actionMessage(thread), "buttons")
    await h.restart()
    const once = ask.actions!.find((a) => a.label === "Allow once")!.id
    expect(await h.click(alice, thread, ask.ref, once)).toEqual({})
    await h.turnDone(thread)
    expect(h.transcript(thread)).toContain("Done after restart.")
    // One permission message, edited in place; one answer message set.
    expect(h.adapter.visible(thread).filter((m) => m.text.startsWith("🔐"))).toHaveLength(1)
  })

  it("a deadline that passed while the relay was down rejects at once, and the message says so", async () => {
    const marker = h.model.script([bash("echo too-late"), text("I will not run it then.")])
    const { thread } = await h.mention(alice, `${marker} go`)
    const ask = await h.waitFor(() => h.actionMessage(thread), "buttons")
    const allow = ask.actions![0]!.id
    await h.restart(() => {
      // The outage outlasts the deadline.
      const repos = openRepositories(h.storagePath)
      repos.db.prepare("UPDATE interactions SET deadline = ? WHERE state = 'open'").run(Date.now() - 1_000)
      repos.close()
    })
    await h.turnDone(thread)
    const message = h.adapter.messages.get(ask.ref)!
    expect(message.text).toContain("Nobody answered within 1 min; rejected automatically.")
    expect(message.actions).toBeUndefined()
    expect(await h.click(alice, thread, ask.ref, allow)).toEqual({ ephemeral: REFUSALS.expired })
  })

  it("attachments reach the agent; oversized and unsupported files are left out with a note", async () => {
    const file = (name: string, mime: string, data: Uint8Array) => ({ id: name, name, mime, size: data.byteLength, fetch: async () => data })
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==", "base64")
    const marker = h.model.script([text("I read the notes and saw the picture.")])
    const { thread } = await h.mention(alice, `${marker} read these`, "c1", [
      file("notes.txt", "text/plain", new TextEncoder().encode("hello from the notes file")),
      file("pixel.png", "image/png", new Uint8Array(png)),
      file("big.log", "text/plain", new Uint8Array(6 * 1024 * 1024)),
      file("archive.zip", "application/zip", new Uint8Array([0x50, 0x4b, 3, 4, 0, 0])),
    ])
    await h.turnDone(thread)
    const body = JSON.stringify(requestsFor(marker)[0]!.body.messages.at(-1))
    expect(body).toContain("hello from the notes file")
    expect(body).toMatch(/image_url|data:image\/png;base64/)
    const shown = h.transcript(thread)
    expect(shown).toContain("Skipped big.log: 6.0 MB is over the 5.0 MB limit.")
    expect(shown).toContain("Skipped archive.zip: only images (PNG, JPEG, GIF, WebP) and text files can be given to the agent.")
    expect(shown).toContain("I read the notes and saw the picture.")
  })

  it("a session deleted on the runtime heals: new session, a note, the message sent once", async () => {
    const first = h.model.script([text("Hello.")])
    const { thread } = await h.mention(alice, `${first} hi`)
    await h.turnDone(thread)
    const old = binding(thread)!
    await h.relay.client.sessions.delete(old.directory, old.sessionID)
    const again = h.model.script([text("Fresh start.")])
    await h.reply(alice, thread, `${again} continue`)
    // Whether the runtime's delete event or the 404 reveals it first, the answer comes once.
    await h.waitFor(() => h.relay.repos.turns.active(thread).length === 0 && h.transcript(thread).includes("Fresh start."), "the healed answer")
    expect(binding(thread)!.sessionID).not.toBe(old.sessionID)
    expect(h.transcript(thread)).toContain("no longer exists")
    expect(h.transcript(thread)).toContain("Fresh start.")
    expect(requestsFor(again)).toHaveLength(1)
  })

  it("follow-ups sent during a turn are queued and delivered in order after it", async () => {
    const gate = deferred()
    const first = h.model.script([text("Long first answer.", { chunk: 4 })], { afterChunks: 2, wait: gate.promise })
    const { thread } = await h.mention(alice, `${first} start`)
    await h.waitFor(() => h.relay.repos.turns.active(thread).length === 1 && h.relay.store.session(binding(thread)!.sessionID)?.derived === "working", "the first turn to run")
    const a = h.model.script([text("Answer A.")])
    const b = h.model.script([text("Answer B.")])
    await h.reply(bob, thread, `${a} then this`)
    await h.reply(carol, thread, `${b} and this`)
    await h.waitFor(() => h.transcript(thread).includes("Queued (position 1)"), "first queue notice")
    await h.waitFor(() => h.transcript(thread).includes("Queued (position 2)"), "second queue notice")
    gate.resolve()
    await h.turnDone(thread, 2)
    const order = h.model.requests.filter((r) => [first, a, b].includes(r.marker ?? "")).map((r) => r.marker)
    expect(order).toEqual([first, a, b])
    const t = h.transcript(thread)
    expect(t.indexOf("Long first answer.")).toBeLessThan(t.indexOf("Answer A."))
    expect(t.indexOf("Answer A.")).toBeLessThan(t.indexOf("Answer B."))
  })

  it("the queue per thread is capped: past it a follow-up is refused with a note, nothing is stored", async () => {
    const slow = h.model.script([hang({ text: "busy", chunk: 2, delayMs: 5 })])
    const { thread } = await h.mention(alice, `${slow} go`)
    await h.waitFor(() => h.relay.repos.turns.active(thread).length === 1, "turn running")
    for (let i = 1; i <= 10; i++) expect(await h.reply(alice, thread, `follow-up ${i}`)).toBeUndefined()
    const refused = await h.reply(alice, thread, "one too many")
    expect(refused).toEqual({ ephemeral: expect.stringMatching(/^The queue of this thread is full \(10 messages wait already\)/) })
    expect(h.relay.repos.queue.list(thread)).toHaveLength(10)
    await h.reply(alice, thread, "!abort")
    await h.turnDone(thread)
    expect(h.relay.repos.queue.list(thread)).toHaveLength(0)
  })

  it("!abort stops a running turn and drops the queue; !status and !help answer", async () => {
    const slow = h.model.script([hang({ text: "working on it", chunk: 3, delayMs: 5 })])
    const { thread } = await h.mention(alice, `${slow} go`)
    await h.waitFor(() => h.relay.repos.turns.active(thread).length === 1, "turn running")
    await h.reply(alice, thread, "queued one")
    await h.reply(alice, thread, "!status")
    await h.waitFor(() => h.transcript(thread).includes("**Session**"), "status")
    expect(h.transcript(thread)).toMatch(/\*\*Queued\*\* 1/)
    await h.reply(alice, thread, "!abort")
    await h.turnDone(thread)
    expect(h.transcript(thread)).toContain("Dropped 1 queued message")
    expect(h.transcript(thread)).toContain("_Stopped._")
    await h.reply(alice, thread, "!help")
    await h.waitFor(() => h.transcript(thread).includes("`!new [first message]`"), "help")
  })

  it("!new binds a fresh session to the thread and sends its first message there", async () => {
    const first = h.model.script([text("Old session answer.")])
    const { thread } = await h.mention(alice, `${first} start`)
    await h.turnDone(thread)
    const old = binding(thread)!.sessionID
    const fresh = h.model.script([text("Fresh session answer.")])
    // bob may prompt, but this is alice's thread: replacing her session is not his to do.
    expect(await h.reply(bob, thread, `!new ${fresh} begin again`)).toEqual({ ephemeral: NOT_YOUR_THREAD })
    expect(await h.reply(bob, thread, "!abort")).toEqual({ ephemeral: NOT_YOUR_THREAD })
    expect(binding(thread)!.sessionID).toBe(old)
    // carol approves here, so she may.
    await h.reply(carol, thread, `!new ${fresh} begin again`)
    await h.turnDone(thread, 1)
    expect(binding(thread)!.sessionID).not.toBe(old)
    expect(binding(thread)!.ownerID).toBe(alice.id) // the thread keeps its owner
    expect(h.transcript(thread)).toContain("🆕 New session")
    expect(h.transcript(thread)).toContain("Fresh session answer.")
    // Nothing of the old conversation reached the new session.
    expect(JSON.stringify(requestsFor(fresh)[0]!.body.messages)).not.toContain("Old session answer.")
    expect(h.relay.repos.audit.recent(10).some((e) => e.action === "session.new" && e.userID === carol.id)).toBe(true)
    expect(h.relay.repos.audit.recent(10).some((e) => e.action === "command.new.others-thread" && e.userID === bob.id && !e.allowed)).toBe(true)
  })

  it("a model nobody can reach is said once, with how to set one up, and the turn stops", async () => {
    h.relay.repos.channels.save({ platform: "memory", channel: "c-offline", directory: undefined, model: "offline/offline-model", agent: undefined, verbosity: undefined, updatedAt: Date.now(), updatedBy: "test" })
    const { thread } = await h.mention(alice, "hello?", "c-offline")
    const turn = await h.turnDone(thread)
    expect(turn.state).toBe("failed")
    const shown = h.transcript(thread)
    expect(shown).toMatch(/No model is reachable \(Cannot connect to API/)
    expect(shown).toContain("opencode auth login")
    expect(shown).not.toMatch(/Retrying \(attempt/)
    await h.waitFor(() => h.relay.store.session(binding(thread)!.sessionID)?.derived === "idle", "the runtime to stop retrying")
  })

  it("bad input gets clear answers and nothing breaks", async () => {
    const huge = "x".repeat(1024 * 1024)
    const big = await h.mention(alice, huge)
    expect(big.reply).toEqual({ ephemeral: expect.stringMatching(/1,048,576 characters; the limit is 100,000/) })
    const empty = await h.mention(alice, "   ")
    expect(empty.reply).toEqual({ ephemeral: expect.stringContaining("Tell me what to do") })
    const unknown = await h.mention(alice, "!frobnicate now")
    expect(unknown.reply).toEqual({ ephemeral: "Unknown command `!frobnicate`. Try `!help`." })
    const refused = await h.mention(mallory, "let me in")
    expect(refused.reply).toEqual({ ephemeral: NOT_ALLOWED_TO_PROMPT })
    const ok = h.model.script([text("Still fine.")])
    const { thread } = await h.mention(alice, `${ok} are you ok?`)
    expect(await h.click(alice, thread, `${thread}:m1`, "sb:per_doesnotexist123:once")).toEqual({ ephemeral: REFUSALS.unknownRequest })
    expect(await h.click(alice, thread, `${thread}:m1`, "'; DROP TABLE interactions; --")).toEqual({ ephemeral: REFUSALS.unknownAction })
    expect(await h.click(alice, thread, `${thread}:m1`, "sb:per_abc:launch-missiles")).toEqual({ ephemeral: REFUSALS.unknownAction })
    await h.turnDone(thread)
    expect(h.transcript(thread)).toContain("Still fine.")
    // The 1 MB message never reached the model.
    expect(h.model.requests.some((r) => JSON.stringify(r.body).length > 1_000_000)).toBe(false)
    // Duplicate delivery of the same platform event is handled once.
    const dup = h.model.script([text("Once.")])
    const event = { platform: "memory", workspace: "w1", channel: "c1", space: "channel" as const, thread, user: alice, id: "dup-1", at: Date.now(), kind: "message" as const, message: "x", text: `${dup} once`, files: [], mentioned: false, threadStart: false }
    await Promise.all([h.adapter.send(event), h.adapter.send(event)])
    await h.turnDone(thread, 1)
    expect(requestsFor(dup)).toHaveLength(1)
  })
})

describe("a prompt the runtime accepts but never starts", () => {
  let h: RelayHarness
  beforeAll(async () => {
    h = await startRelayHarness({ settings: { startTimeoutMs: 2_000, typingIntervalMs: 500 } })
  })
  afterAll(async () => {
    await h?.close()
  })

  it("fails visibly instead of keeping the thread busy, and the thread works afterwards", async () => {
    const alice = h.user("alice")
    // PNG magic with a broken body: OpenCode answers 204 and then silently drops the prompt.
    const broken = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8])
    const file = { id: "f1", name: "broken.png", mime: "image/png", size: broken.byteLength, fetch: async () => broken }
    const { thread } = await h.mention(alice, "look at this", "c1", [file])
    const turn = await h.turnDone(thread)
    expect(turn.state).toBe("failed")
    expect(h.transcript(thread)).toContain("OpenCode accepted the message but never started working on it")
    const marker = h.model.script([text("Back to normal.")])
    await h.reply(alice, thread, `${marker} try again`)
    await h.turnDone(thread, 1)
    expect(h.transcript(thread)).toContain("Back to normal.")
  })
})
