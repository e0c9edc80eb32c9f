// A runtime that misbehaves on single calls, through a proxy in front of the real OpenCode: a
// call it accepts and never answers is reported in its thread within the call timeout, while
// a click in another thread still works; a malformed frame in the event stream is skipped
// and the answer around it arrives intact.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bash, text } from "../harness/model-server/index.ts"
import { startRelayHarness, type RelayHarness } from "../harness/relay.ts"
import { startRuntimeProxy, type RuntimeProxy } from "../harness/runtime-proxy.ts"

describe("a runtime that hangs on one call", () => {
  let h: RelayHarness
  let proxy: RuntimeProxy
  const alice = { id: "u-alice", name: "alice", isBot: false }

  beforeAll(async () => {
    h = await startRelayHarness({
      callTimeoutMs: 2_000,
      wrapRuntime: async (url) => {
        proxy = await startRuntimeProxy(url)
        return proxy.url
      },
    })
  })
  afterAll(async () => {
    await h?.close()
    await proxy?.close()
  })

  it("the hung call is reported in its thread; a click in another thread still works", async () => {
    const marker = h.model.script([bash("echo still-works"), text("It ran.")])
    const { thread: waiting } = await h.mention(alice, `${marker} run it`)
    const ask = await h.waitFor(() => h.actionMessage(waiting), "buttons")

    proxy.hang((method, path, body) => method === "POST" && path.endsWith("/prompt_async") && body.includes("HANGME"))
    const { thread: hung } = await h.mention(alice, "HANGME please")
    // While that prompt hangs, the click in the other thread goes through.
    expect(await h.click(alice, waiting, ask.ref, ask.actions!.find((a) => a.label === "Allow once")!.id)).toEqual({})
    await h.turnDone(waiting)
    expect(h.transcript(waiting)).toContain("It ran.")
    const turn = await h.turnDone(hung)
    expect(turn.state).toBe("failed")
    expect(h.transcript(hung)).toMatch(/OpenCode did not answer in time/)
  })

  it("a malformed frame mid-stream is skipped; the text around it is intact", async () => {
    const answer = "Before the bad frame. After the bad frame, every word still arrives."
    let reached!: () => void
    const atGate = new Promise<void>((r) => (reached = r))
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const marker = h.model.script([text(answer, { chunk: 4 })], { afterChunks: 5, wait: gate, reached })
    const { thread } = await h.mention(alice, `${marker} go`)
    await atGate
    const before = h.relay.sync.stream.malformedFrames
    proxy.inject('{"payload":{"type":"message.part.delta","properties":')
    proxy.inject('{"payload":{"type":"message.part.delta","properties":{"sessionID":42,"delta":null}}}')
    release()
    await h.turnDone(thread)
    expect(h.relay.sync.stream.malformedFrames - before).toBe(2)
    expect(h.transcript(thread)).toContain(answer)
  })
})
