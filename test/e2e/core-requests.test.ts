// Must-show (foundation): permission and question round-trips through the router against
// the real OpenCode server — once, always, reject (with and without a message), questions
// answered and rejected, timeouts, failing subscribers, answers from another client, and
// exactly one reply per request.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Router } from "../../src/core/router/router.ts"
import { runtimeReplies } from "../../src/core/router/replies.ts"
import type { Request, RequestResult, RuntimeReplies } from "../../src/core/router/types.ts"
import type { SessionState } from "../../src/core/store/types.ts"
import { silentLogger } from "../../src/log/logger.ts"
import type { ToolPart } from "../../src/runtime/events.ts"
import { startCore, type CoreHarness } from "../harness/core.ts"
import { bash, question, text } from "../harness/model-server/index.ts"
import { lastTurnText } from "../harness/text.ts"
import { deferred } from "../harness/wait.ts"

function tools(session: SessionState | undefined): ToolPart[] {
  return (session?.messages ?? []).flatMap((m) => m.parts.filter((p): p is ToolPart => p.type === "tool"))
}

function toolMessages(h: CoreHarness, marker: string) {
  return h.model.requests
    .filter((r) => r.marker === marker)
    .flatMap((r) => r.body.messages.filter((m) => m.role === "tool").map((m) => JSON.stringify(m.content)))
}

describe("permission and question round-trips", () => {
  let h: CoreHarness
  beforeAll(async () => {
    h = await startCore()
  })
  afterAll(async () => {
    await h?.close()
  })

  it("bash asks, the subscriber answers once, the tool runs and the follow-up arrives", async () => {
    const sid = await h.newSession()
    const marker = h.model.script([bash("echo hi"), text("The command printed hi.")])
    const asked: string[] = []
    const closed: RequestResult[] = []
    h.router.subscribe(sid, {
      onPermission: async (req) => {
        asked.push(`${req.permission}:${req.patterns.join(" ")}`)
        return { reply: "once" }
      },
      onRequestClosed: (_r, result) => closed.push(result),
    })
    await h.prompt(sid, `${marker} run it`)
    const session = await h.idle(sid)
    expect(asked).toEqual(["bash:echo hi"])
    expect(closed).toEqual([{ via: "subscriber", decision: { reply: "once" } }])
    const [tool] = tools(session)
    expect(tool?.state.status).toBe("completed")
    expect(tool?.state.status === "completed" && tool.state.output).toContain("hi")
    expect(lastTurnText(session)).toBe("The command printed hi.")
    expect(toolMessages(h, marker).join()).toContain("hi")
  })

  it("always: the second matching command is not asked again", async () => {
    // "always" adds an allow rule for the whole project instance (here `touch *`), so this test
    // uses a command no other test runs.
    const sid = await h.newSession()
    const marker = h.model.script([bash("touch one.txt"), bash("touch two.txt"), text("Both ran.")])
    let asked = 0
    h.router.subscribe(sid, {
      onPermission: async () => {
        asked++
        return { reply: "always" }
      },
    })
    await h.prompt(sid, `${marker} run both`)
    const session = await h.idle(sid)
    expect(asked).toBe(1)
    expect(tools(session).map((t) => t.state.status)).toEqual(["completed", "completed"])
    expect(lastTurnText(session)).toBe("Both ran.")
  })

  it("reject with a message: the model reads the feedback and continues", async () => {
    const sid = await h.newSession()
    const marker = h.model.script([bash("rm -rf build"), text("Understood, I will use ls instead.")])
    h.router.subscribe(sid, { onPermission: async () => ({ reply: "reject", message: "use ls instead" }) })
    await h.prompt(sid, `${marker} clean`)
    const session = await h.idle(sid)
    expect(tools(session)[0]?.state.status).toBe("error")
    expect(toolMessages(h, marker).join()).toContain("use ls instead")
    expect(lastTurnText(session)).toBe("Understood, I will use ls instead.")
  })

  it("reject without a message stops the agent", async () => {
    const sid = await h.newSession()
    const marker = h.model.script([bash("rm -rf /"), text("never said")])
    h.router.subscribe(sid, { onPermission: async () => ({ reply: "reject" }) })
    await h.prompt(sid, `${marker} clean`)
    const session = await h.idle(sid)
    expect(tools(session)[0]?.state.status).toBe("error")
    expect(h.model.requests.filter((r) => r.marker === marker)).toHaveLength(1)
    expect(lastTurnText(session)).not.toContain("never said")
  })

  it("a question answered with an option reaches the model", async () => {
    const sid = await h.newSession()
    const marker = h.model.script([question("Pick a color?", ["Red", "Blue"]), text("Blue it is.")])
    const seen: string[] = []
    h.router.subscribe(sid, {
      onQuestion: async (req) => {
        seen.push(req.questions.map((q) => `${q.question} [${q.options.map((o) => o.label).join("|")}]`).join())
        return { answers: [["Blue"]] }
      },
    })
    await h.prompt(sid, `${marker} ask me`)
    const session = await h.idle(sid)
    expect(seen).toEqual(["Pick a color? [Red|Blue]"])
    expect(toolMessages(h, marker).join()).toContain("Blue")
    expect(lastTurnText(session)).toBe("Blue it is.")
  })

  it("a rejected question dismisses it and stops the loop", async () => {
    const sid = await h.newSession()
    const marker = h.model.script([question("Pick a color?", ["Red", "Blue"]), text("never said")])
    h.router.subscribe(sid, { onQuestion: async () => ({ reject: true }) })
    await h.prompt(sid, `${marker} ask me`)
    const session = await h.idle(sid)
    const [tool] = tools(session)
    expect(tool?.state.status === "error" && tool.state.error).toMatch(/dismissed/i)
    expect(h.model.requests.filter((r) => r.marker === marker)).toHaveLength(1)
  })

  it("no answer: rejected at the deadline with a message saying it timed out; the turn ends", async () => {
    const router = new Router({ store: h.store, replies: runtimeReplies(h.client, h.store), log: silentLogger, timeoutMs: 1_500 })
    try {
      const sid = await h.newSession()
      const marker = h.model.script([bash("echo slow"), text("OK, I will not run it.")])
      const closed = deferred<RequestResult>()
      let aborted = false
      router.subscribe(sid, {
        onPermission: (_req, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener("abort", () => {
              aborted = true
              reject(new Error("aborted"))
            })
          }),
        onRequestClosed: (_r, result) => closed.resolve(result),
      })
      await h.prompt(sid, `${marker} go`)
      const result = await closed.promise
      expect(result.via).toBe("timeout")
      expect(aborted).toBe(true)
      const session = await h.idle(sid)
      expect(toolMessages(h, marker).join()).toMatch(/timed out/)
      expect(lastTurnText(session)).toBe("OK, I will not run it.")
    } finally {
      router.stop()
    }
  })

  it("a subscriber that throws makes the router reject", async () => {
    const sid = await h.newSession()
    const marker = h.model.script([bash("echo x"), text("never said")])
    const closed = deferred<RequestResult>()
    h.router.subscribe(sid, {
      onPermission: async () => {
        throw new Error("chat adapter is down")
      },
      onRequestClosed: (_r, result) => closed.resolve(result),
    })
    await h.prompt(sid, `${marker} go`)
    expect((await closed.promise).via).toBe("subscriber-error")
    const session = await h.idle(sid)
    expect(tools(session)[0]?.state.status).toBe("error")
  })

  it("answered in another client: the wait is cancelled and the subscriber is told", async () => {
    const sid = await h.newSession()
    const marker = h.model.script([bash("echo elsewhere"), text("Ran it.")])
    const closed = deferred<{ req: Request; result: RequestResult }>()
    let signalled = false
    h.router.subscribe(sid, {
      onPermission: (req, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener("abort", () => {
            signalled = true
            reject(new Error("cancelled"))
          })
          // Another client (the OpenCode TUI, say) answers it.
          void h.client.permissions.reply(h.dir, req.id, "once")
        }),
      onRequestClosed: (req, result) => closed.resolve({ req, result }),
    })
    await h.prompt(sid, `${marker} go`)
    const { result } = await closed.promise
    expect(result).toEqual({ via: "elsewhere", outcome: { kind: "replied", reply: "once" } })
    expect(signalled).toBe(true)
    expect(lastTurnText(await h.idle(sid))).toBe("Ran it.")
  })

  it("exactly one reply: two deciding subscribers send one answer; a 404 counts as answered", async () => {
    const calls: string[] = []
    const real = runtimeReplies(h.client, h.store)
    const counting: RuntimeReplies = {
      async permission(req, decision) {
        calls.push(req.id)
        // Someone else wins the race just before our reply lands: the runtime answers 404.
        await h.client.permissions.reply(h.dir, req.id, "once")
        await real.permission(req, decision)
      },
      question: real.question,
    }
    const router = new Router({ store: h.store, replies: counting, log: silentLogger })
    try {
      const sid = await h.newSession()
      const marker = h.model.script([bash("echo race"), text("done")])
      const results: RequestResult[] = []
      const closed = deferred()
      for (let i = 0; i < 2; i++) {
        router.subscribe(sid, {
          onPermission: async () => ({ reply: "once" }),
          onRequestClosed: (_r, result) => {
            results.push(result)
            if (results.length === 2) closed.resolve()
          },
        })
      }
      await h.prompt(sid, `${marker} go`)
      await closed.promise
      expect(calls).toHaveLength(1)
      expect(results).toEqual([
        { via: "elsewhere", outcome: { kind: "gone" } },
        { via: "elsewhere", outcome: { kind: "gone" } },
      ])
      expect(lastTurnText(await h.idle(sid))).toBe("done")
    } finally {
      router.stop()
    }
  })
})
