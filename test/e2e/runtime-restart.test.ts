// The real OpenCode killed (SIGKILL) mid-answer and started again on the same port with its
// data, ten times, with the relay running throughout: every interrupted answer ends with a
// clear note (never a promise that more is coming), every follow-up sent after the restart is
// answered, nothing typed is lost, and the typing indicator stops when no turn runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { INTERRUPTED } from "../../src/delivery/render/turn-blocks.ts"
import { text } from "../harness/model-server/index.ts"
import { startRelayHarness, type RelayHarness } from "../harness/relay.ts"
import { deferred } from "../harness/wait.ts"

const ROUNDS = 10

describe("runtime restarts", () => {
  let h: RelayHarness
  const alice = { id: "u-alice", name: "alice", isBot: false }

  beforeAll(async () => {
    h = await startRelayHarness({ settings: { typingIntervalMs: 200 } })
  })
  afterAll(async () => {
    await h?.close()
  })

  it(`killed mid-answer ${ROUNDS} times: each answer ends with a clear note, each follow-up is answered`, async () => {
    const threads: string[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      const opening = `Round ${round} begins here and goes on`
      const reached = deferred()
      const never = deferred() // the killed runtime never gets the rest
      const marker = h.model.script([text(`${opening} ${"and on ".repeat(200)}`, { chunk: 6 })], { afterChunks: 8, wait: never.promise, reached: reached.resolve })
      const { thread } = await h.mention(alice, `${marker} round ${round}`)
      threads.push(thread)
      await reached.promise
      await h.waitFor(() => h.transcript(thread).includes(`Round ${round} begins`), `round ${round}'s text to show`)

      // A message typed while the runtime is dead waits; one sent right after it is back is answered.
      const waiting = h.model.script([text(`Waited-for answer ${round}.`)])
      const followUp = h.model.script([text(`Follow-up answer ${round}.`)])
      await h.restartRuntime(async () => {
        never.resolve()
        await h.reply(alice, thread, `${waiting} typed during the outage`)
      })
      await h.reply(alice, thread, `${followUp} after the restart`)

      const first = await h.turnDone(thread, 0)
      expect(first.state).toBe("failed")
      await h.waitFor(() => h.transcript(thread).includes(`Follow-up answer ${round}.`), `round ${round}'s follow-up answer`, 60_000)
      await h.waitFor(() => h.transcript(thread).includes(`Waited-for answer ${round}.`), `round ${round}'s waiting message answered`, 60_000)
      const shown = h.transcript(thread)
      expect(shown).toContain(INTERRUPTED)
      expect(shown).not.toMatch(/appears when it is complete/)
      expect(shown.indexOf(`Round ${round} begins`)).toBeLessThan(shown.indexOf(INTERRUPTED))
      expect(h.model.requests.filter((r) => r.marker === waiting)).toHaveLength(1)
      expect(h.model.requests.filter((r) => r.marker === followUp)).toHaveLength(1)
    }
    // Every thread is settled: no turn left running, and typing stopped with the last turn.
    await h.waitFor(() => h.relay.repos.turns.active().length === 0, "no turn left running")
    const lastEnd = Math.max(...threads.flatMap((t) => (h.relay.repos.db.prepare("SELECT finished_at FROM turns WHERE thread = ?").all(t) as Array<{ finished_at: number }>).map((r) => r.finished_at)))
    const status = h.model.script([text("All quiet.")])
    await h.reply(alice, threads.at(-1)!, `${status} one more`)
    await h.waitFor(() => h.transcript(threads.at(-1)!).includes("All quiet."), "the last answer")
    const stray = h.adapter.calls.filter((c) => c.op === "typing" && c.at > lastEnd + 50 && threads.slice(0, -1).includes(c.ref))
    expect(stray).toEqual([])
  }, 300_000) // ten runtime boots: about a minute on two idle cores, more on a busy machine
})
