// Must-show (foundation): prompts stream into the store exactly; abort, gaps and concurrent
// sessions behave. Against the real OpenCode server and a scripted model.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startCore, type CoreHarness } from "../harness/core.ts"
import { fail, hang, text } from "../harness/model-server/index.ts"
import { turnBlocks } from "../../src/delivery/render/turn-blocks.ts"
import { lastTurnText, sampleAnswer } from "../harness/text.ts"
import { deferred } from "../harness/wait.ts"

describe("core against real OpenCode", () => {
  let h: CoreHarness
  beforeAll(async () => {
    h = await startCore({ proxy: true })
  })
  afterAll(async () => {
    await h?.close()
  })

  /** Records every moment a session's visible answer is not a prefix of the final one. */
  function guardPrefix(sid: string, answer: string): string[] {
    const violations: string[] = []
    h.router.subscribe(sid, {
      onChange: (s) => {
        const t = lastTurnText(s)
        if (!answer.startsWith(t)) violations.push(t.slice(-60))
      },
    })
    return violations
  }

  /** Runs a trivial prompt so every trailing event of earlier turns has certainly arrived. */
  async function drain(sessionID: string) {
    const marker = h.model.script([text("drained")])
    await h.prompt(sessionID, `${marker} drain`)
    await h.waitFor(() => lastTurnText(h.store.session(sessionID)) === "drained" && h.store.session(sessionID)?.derived === "idle", "drain turn")
  }

  it("streams a prompt: exact final text, busy → idle, completion announced once", async () => {
    const sid = await h.newSession()
    const answer = sampleAnswer(10)
    // The model pauses mid-answer until the store has shown partial text: streaming, not one blob.
    const gate = deferred()
    const marker = h.model.script([text(answer, { chunk: 5, reasoning: "Thinking about it." })], {
      afterChunks: 60,
      wait: gate.promise,
    })
    const statuses: string[] = []
    const completed: string[] = []
    h.router.subscribe(sid, {
      onStatus: (s) => statuses.push(s.derived),
      onMessageCompleted: (_s, m) => completed.push(m.info.id),
      onChange: (s) => {
        const t = lastTurnText(s)
        if (t.length > 0 && t.length < answer.length) gate.resolve()
        // Never a duplicated or foreign fragment: what we have is always a prefix of the answer.
        if (!answer.startsWith(t)) throw new Error(`not a prefix: ${JSON.stringify(t.slice(-40))}`)
      },
    })
    await h.prompt(sid, `${marker} tell me`)
    const session = await h.idle(sid)
    expect(lastTurnText(session)).toBe(answer)
    const reasoning = session.messages.at(-1)!.parts.find((p) => p.type === "reasoning")
    expect(reasoning && "text" in reasoning ? reasoning.text : "").toBe("Thinking about it.")
    expect(statuses[0]).toBe("working")
    expect(statuses.at(-1)).toBe("idle")
    await drain(sid)
    const turnMessages = session.messages.filter((m) => m.info.role === "assistant")
    expect(completed.length).toBe(turnMessages.length) // the first turn's one + drain's one
    expect(new Set(completed).size).toBe(completed.length)
    expect(session.totals.output).toBeGreaterThan(0)
  })

  it("abort mid-stream: idle, message completed with the aborted error, announced once", async () => {
    const sid = await h.newSession()
    const marker = h.model.script([hang({ text: "partial answer that will be cut", chunk: 4, delayMs: 5 })])
    const completed: string[] = []
    h.router.subscribe(sid, { onMessageCompleted: (_s, m) => completed.push(m.info.id) })
    await h.prompt(sid, `${marker} go`)
    await h.waitFor(() => lastTurnText(h.store.session(sid)).length >= 8, "some streamed text")
    await h.client.sessions.abort(h.dir, sid)
    const session = await h.settled(sid, "aborted turn to settle")
    const last = session.messages.at(-1)!
    expect(last.info.role === "assistant" && last.info.error?.name).toBe("MessageAbortedError")
    expect(lastTurnText(session).length).toBeGreaterThan(0)
    await drain(sid)
    const abortedAnnouncements = completed.filter((id) => id === last.info.id)
    expect(abortedAnnouncements).toHaveLength(1)
  })

  it("a cut event stream resyncs: final text complete, nothing duplicated", async () => {
    const sid = await h.newSession()
    const answer = sampleAnswer(16)
    const gate = deferred()
    const marker = h.model.script([text(answer, { chunk: 6 })], { afterChunks: 40, wait: gate.promise })
    const resyncsBefore = h.sync.resyncCount
    const violations = guardPrefix(sid, answer)
    await h.prompt(sid, `${marker} long answer`)
    await h.waitFor(() => lastTurnText(h.store.session(sid)).length >= 6 * 30, "text before the gap")
    // Cut the connection and keep it down while the rest of the answer is produced.
    h.proxy!.refuse(true)
    h.proxy!.cut()
    gate.resolve()
    await h.model.whenIdle()
    const during = lastTurnText(h.store.session(sid))
    expect(during.length).toBeLessThan(answer.length)
    h.proxy!.refuse(false)
    const session = await h.idle(sid)
    expect(h.sync.resyncCount).toBeGreaterThan(resyncsBefore)
    expect(lastTurnText(session)).toBe(answer)
    expect(violations).toEqual([])
  })

  it("a gap in the middle of a text part: text freezes until the part completes, never garbled", async () => {
    const sid = await h.newSession()
    const answer = sampleAnswer(20)
    const first = deferred()
    const second = deferred()
    const atSecond = deferred()
    const marker = h.model.script([text(answer, { chunk: 4 })], [
      { afterChunks: 30, wait: first.promise },
      { afterChunks: 90, wait: second.promise, reached: () => atSecond.resolve() },
    ])
    const violations = guardPrefix(sid, answer)
    await h.prompt(sid, `${marker} long answer`)
    await h.waitFor(() => lastTurnText(h.store.session(sid)).length >= 4 * 20, "text before the gap")
    const resyncs = h.sync.resyncCount
    h.proxy!.refuse(true)
    h.proxy!.cut()
    first.resolve() // chunks 30..90 are produced while we are disconnected
    await atSecond.promise
    h.proxy!.refuse(false)
    await h.waitFor(() => h.sync.resyncCount > resyncs, "the resync after reconnect")
    // The runtime does not persist streaming text, so the gap's deltas are gone until the part
    // ends: the part is marked as catching up and later deltas cannot garble it.
    const part = h.store.session(sid)!.messages.at(-1)!.parts.find((p) => p.type === "text")!
    expect(h.store.catchingUp(part.id)).toBe(true)
    second.resolve() // the rest streams live; the final part snapshot brings the whole text
    const session = await h.idle(sid).catch((err: Error) => {
      const s = h.store.session(sid)
      throw new Error(`${err.message}\nstatus=${JSON.stringify(s?.status)} derived=${s?.derived} stream=${h.sync.stream.state} resyncs=${h.sync.resyncCount}\nmessages=${JSON.stringify(s?.messages.map((m) => [m.info.role, m.info.time, m.parts.map((p) => [p.type, "text" in p ? p.text.length : 0, "time" in p ? p.time : undefined])]))}`)
    })
    expect(h.store.catchingUp(part.id)).toBe(false)
    expect(lastTurnText(session)).toBe(answer)
    expect(violations).toEqual([])
  })

  it("provider 5xx: the session shows it is retrying; abort ends the turn", async () => {
    const sid = await h.newSession()
    const marker = h.model.script([fail(503, "upstream overloaded"), fail(503), fail(503), fail(503)])
    const seen: string[] = []
    h.router.subscribe(sid, { onStatus: (s) => seen.push(s.derived) })
    await h.prompt(sid, `${marker} please`)
    const retrying = await h.waitFor(() => {
      const s = h.store.session(sid)
      return s?.derived === "retrying" ? s : undefined
    }, "a retry status")
    expect(retrying.status.type === "retry" && retrying.status.attempt).toBeGreaterThanOrEqual(1)
    const blocks = turnBlocks({ session: retrying, messages: retrying.messages.filter((m) => m.info.role === "assistant"), ended: false, verbosity: "essential" })
    expect(blocks.at(-1)).toMatchObject({ kind: "notice", tone: "warning" })
    await h.client.sessions.abort(h.dir, sid)
    const session = await h.settled(sid, "the aborted retry to settle")
    expect(seen).toContain("retrying")
    expect(session.status.type).toBe("idle")
  })

  it("two sessions streaming at once do not cross-talk", async () => {
    const [a, b] = await Promise.all([h.newSession(), h.newSession()])
    const textA = "Alpha ".repeat(120).trim()
    const textB = "Bravo ".repeat(150).trim()
    const ma = h.model.script([text(textA, { chunk: 3, delayMs: 1 })])
    const mb = h.model.script([text(textB, { chunk: 4, delayMs: 1 })])
    const foreign: string[] = []
    for (const [sid, own] of [[a, textA], [b, textB]] as const) {
      h.router.subscribe(sid, {
        onChange: (s) => {
          if (s.id !== sid) foreign.push(`${sid} got ${s.id}`)
          const t = lastTurnText(s)
          if (!own.startsWith(t)) foreign.push(`${sid}: ${t.slice(-30)}`)
        },
      })
    }
    await Promise.all([h.prompt(a, `${ma} A`), h.prompt(b, `${mb} B`)])
    const [sa, sb] = await Promise.all([h.idle(a), h.idle(b)])
    expect(lastTurnText(sa)).toBe(textA)
    expect(lastTurnText(sb)).toBe(textB)
    expect(foreign).toEqual([])
  })
})
