// The router's round-trip rules with a fake clock: the default 5-minute deadline, persisted
// deadlines, one reply per request, answers from elsewhere, dispatch without cross-talk.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { Router, timeoutMessage } from "../../src/core/router/router.ts"
import type { PermissionDecision, QuestionDecision, RequestResult, RuntimeReplies } from "../../src/core/router/types.ts"
import { Store } from "../../src/core/store/store.ts"
import { silentLogger } from "../../src/log/logger.ts"
import { RuntimeError } from "../../src/runtime/errors.ts"
import type { PermissionRequest, RuntimeEvent } from "../../src/runtime/events.ts"

const asked = (id: string, sessionID = "s1"): RuntimeEvent => ({
  id: "e",
  type: "permission.asked",
  directory: "/d",
  properties: { id, sessionID, permission: "bash", patterns: ["rm -rf build"], metadata: { command: "rm -rf build" }, always: ["rm *"] },
})
const replied = (id: string, reply: "once" | "reject", sessionID = "s1"): RuntimeEvent => ({
  id: "e",
  type: "permission.replied",
  properties: { sessionID, requestID: id, reply },
})

function fakeReplies() {
  const sent: Array<{ id: string; decision: PermissionDecision | QuestionDecision }> = []
  let failWith: RuntimeError | undefined
  const replies: RuntimeReplies = {
    async permission(req: PermissionRequest, decision) {
      if (failWith) throw failWith
      sent.push({ id: req.id, decision })
    },
    async question(req, decision) {
      sent.push({ id: req.id, decision })
    },
  }
  return { replies, sent, fail: (e: RuntimeError | undefined) => (failWith = e) }
}

/** A store, a router over fake replies, and what the replies sent. */
function setup(opts: Partial<Omit<ConstructorParameters<typeof Router>[0], "store" | "replies" | "log">> = {}) {
  const store = new Store()
  const { replies, sent, fail } = fakeReplies()
  const router = new Router({ store, replies, log: silentLogger, ...opts })
  return { store, sent, fail, router }
}

describe("router", () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it("rejects with a timed-out message after the default 5 minutes", async () => {
    const { store, sent, router } = setup()
    const results: RequestResult[] = []
    let deadline = 0
    router.subscribe("s1", {
      onPermission: (_r, ctx) => {
        deadline = ctx.deadline
        return new Promise(() => {}) // nobody ever clicks
      },
      onRequestClosed: (_r, res) => results.push(res),
    })
    const t0 = Date.now()
    store.applyBatch([asked("per_1")])
    expect(deadline - t0).toBe(5 * 60_000)
    await vi.advanceTimersByTimeAsync(5 * 60_000 - 1)
    expect(sent).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(sent).toEqual([{ id: "per_1", decision: { reply: "reject", message: timeoutMessage(5 * 60_000) } }])
    expect(timeoutMessage(5 * 60_000)).toMatch(/within 5 minutes; the request timed out/)
    expect(results.map((r) => r.via)).toEqual(["timeout"])
    router.stop()
  })

  it("uses a deadline remembered from before a restart", async () => {
    const { store, sent, router } = setup({ deadlineOf: () => Date.now() + 1_000 })
    router.subscribe("s1", { onPermission: () => new Promise(() => {}) })
    store.applyBatch([asked("per_1")])
    await vi.advanceTimersByTimeAsync(1_000)
    expect(sent.map((s) => s.id)).toEqual(["per_1"])
    router.stop()
  })

  it("a deadline already past rejects at once", async () => {
    const { store, sent, router } = setup({ deadlineOf: () => Date.now() - 60_000 })
    router.subscribe("s1", { onPermission: () => new Promise(() => {}) })
    store.applyBatch([asked("per_1")])
    await vi.advanceTimersByTimeAsync(0)
    expect(sent.map((s) => s.id)).toEqual(["per_1"])
    router.stop()
  })

  it("double decisions and a late timeout still send exactly one reply", async () => {
    const { store, sent, router } = setup({ timeoutMs: 50 })
    router.subscribe("s1", { onPermission: async () => ({ reply: "once" }) })
    router.subscribe("s1", { onPermission: async () => ({ reply: "always" }) })
    store.applyBatch([asked("per_1")])
    store.applyBatch([asked("per_1")]) // duplicated event (e.g. resync + live)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(sent).toEqual([{ id: "per_1", decision: { reply: "once" } }])
    router.stop()
  })

  it("an answer from another client cancels the wait and tells the subscriber", async () => {
    const { store, sent, router } = setup()
    const results: RequestResult[] = []
    let aborted = false
    router.subscribe("s1", {
      onPermission: (_r, ctx) => {
        ctx.signal.addEventListener("abort", () => (aborted = true))
        return new Promise(() => {})
      },
      onRequestClosed: (_r, res) => results.push(res),
    })
    store.applyBatch([asked("per_1")])
    store.applyBatch([replied("per_1", "once")])
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(aborted).toBe(true)
    expect(sent).toEqual([])
    expect(results).toEqual([{ via: "elsewhere", outcome: { kind: "replied", reply: "once" } }])
    router.stop()
  })

  it("retries a reply while the runtime is unreachable, then reports the failure", async () => {
    const { store, fail, router } = setup({ replyRetry: { attempts: 2, initialMs: 10 } })
    fail(new RuntimeError("unavailable", "down"))
    const results: RequestResult[] = []
    router.subscribe("s1", { onPermission: async () => ({ reply: "once" }), onRequestClosed: (_r, res) => results.push(res) })
    store.applyBatch([asked("per_1")])
    await vi.advanceTimersByTimeAsync(100)
    expect(results.map((r) => r.via)).toEqual(["reply-failed"])
    router.stop()
  })

  it("requests of unfollowed sessions are left for other clients; subscribing later adopts them", async () => {
    const { store, sent, router } = setup()
    store.applyBatch([asked("per_1", "s9")])
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(sent).toEqual([])
    router.subscribe("s9", { onPermission: async () => ({ reply: "reject", message: "no" }) })
    await vi.advanceTimersByTimeAsync(0)
    expect(sent).toEqual([{ id: "per_1", decision: { reply: "reject", message: "no" } }])
    router.stop()
  })

  it("dispatches changes only to the session's own subscribers", () => {
    const store = new Store()
    const router = new Router({ store, replies: fakeReplies().replies, log: silentLogger })
    const a: string[] = []
    const b: string[] = []
    router.subscribe("A", { onChange: (s) => a.push(s.id) })
    const off = router.subscribe("B", { onChange: (s) => b.push(s.id) })
    store.applyBatch([{ id: "e", type: "session.status", properties: { sessionID: "A", status: { type: "busy" } } }])
    off()
    store.applyBatch([{ id: "e", type: "session.status", properties: { sessionID: "B", status: { type: "busy" } } }])
    expect(a).toEqual(["A"])
    expect(b).toEqual([])
    router.stop()
  })
})
