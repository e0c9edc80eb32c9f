// The store replays recorded OpenCode streams (test/fixtures/events) and hand-made edge
// cases: exact text, statuses, one completion announcement per message, per-session resync.
import { describe, expect, it } from "vitest"
import { Store } from "../../src/core/store/store.ts"
import type { MessageState, SessionState } from "../../src/core/store/types.ts"
import type { RuntimeSnapshot } from "../../src/runtime/resync.ts"
import type { Message, Part, RuntimeEvent } from "../../src/runtime/events.ts"
import { fixtureNames, loadFixture } from "../harness/fixtures.ts"
import { lastTurnText } from "../harness/text.ts"

function replay(events: RuntimeEvent[], batch: number, store = new Store()) {
  const completed: string[] = []
  const statuses: string[] = []
  store.events.on("message.completed", (_s, m) => completed.push(m.info.id))
  store.events.on("session.status", (s) => statuses.push(`${s.id}:${s.derived}`))
  for (let i = 0; i < events.length; i += batch) store.applyBatch(events.slice(i, i + batch), i)
  return { store, completed, statuses }
}

function mainSession(store: Store): SessionState {
  return [...store.sessions()].find((s) => s.messages.some((m) => m.info.role === "assistant"))!
}

function toolStatuses(s: SessionState): string[] {
  return s.messages.flatMap((m) => m.parts.flatMap((p) => (p.type === "tool" ? [p.state.status] : [])))
}

describe("store replaying recorded streams", () => {
  for (const name of fixtureNames()) {
    for (const batch of [1, 7, 1_000_000]) {
      it(`${name} (batches of ${batch})`, () => {
        const fx = loadFixture(name)
        const { store, completed, statuses } = replay(fx.events, batch)
        const s = mainSession(store)
        const text = lastTurnText(s)
        if (fx.expected.cutFrom !== undefined) {
          expect(fx.expected.cutFrom.startsWith(text)).toBe(true)
          expect(text.length).toBeGreaterThan(0)
        } else {
          expect(text).toBe(fx.expected.finalText)
        }
        expect(toolStatuses(s)).toEqual(fx.expected.tools)
        const last = s.messages.at(-1)!.info
        expect(last.role === "assistant" ? last.error?.name : undefined).toBe(fx.expected.error)
        // Each completed assistant message announced exactly once, none missing.
        const done = s.messages.filter((m) => m.info.role === "assistant" && m.info.time.completed)
        expect([...completed].sort()).toEqual(done.map((m) => m.info.id).sort())
        expect(s.derived).toBe("idle")
        const mine = statuses.filter((x) => x.startsWith(s.id))
        if (batch === 1) expect(mine[0]).toBe(`${s.id}:working`)
        if (mine.length > 0) expect(mine.at(-1)).toBe(`${s.id}:idle`)
        if (!fx.expected.error) expect(s.totals.output).toBeGreaterThan(0)
      })
    }
  }

  it("permission requests open and close with the stream", () => {
    const fx = loadFixture("tool-permission")
    const store = new Store()
    const asked: string[] = []
    const resolved: string[] = []
    store.events.on("permission.asked", (r) => asked.push(r.permission))
    store.events.on("permission.resolved", (_r, o) => resolved.push(o.kind === "replied" ? o.reply : o.kind))
    const statuses: string[] = []
    store.events.on("session.status", (s) => statuses.push(s.derived))
    store.applyBatch(fx.events)
    expect(asked).toEqual(["bash"])
    expect(resolved).toEqual(["once"])
    expect(store.pending().permissions).toEqual([])
    // Applied one by one, the session shows that it waits for a person.
    const seq: string[] = []
    const s2 = new Store()
    s2.events.on("session.status", (s) => seq.push(s.derived))
    for (const e of fx.events) s2.applyBatch([e])
    expect(seq).toContain("awaiting-input")
    expect(seq.at(-1)).toBe("idle")
  })

  it("todos arrive on the session", () => {
    const { store } = replay(loadFixture("todos-and-tools").events, 5)
    expect(mainSession(store).todos.map((t) => `${t.status}:${t.content}`)).toEqual([
      "completed:Read the code",
      "in_progress:Fix the bug",
      "pending:Run the tests",
    ])
  })
})

// --- hand-made events -------------------------------------------------------------------

let clock = 1_000
const ids = { msg: 0, part: 0 }
const msgId = () => `msg_${String(++ids.msg).padStart(6, "0")}`
const partId = () => `prt_${String(++ids.part).padStart(6, "0")}`

function user(sessionID: string, id = msgId()): RuntimeEvent {
  const info: Message = { id, sessionID, role: "user", time: { created: clock++ }, agent: "build", model: { providerID: "p", modelID: "m" } }
  return { id: "e", type: "message.updated", properties: { sessionID, info } }
}

function assistant(sessionID: string, id: string, parentID: string, completed?: number, cost = 0): RuntimeEvent {
  const info: Message = {
    id,
    sessionID,
    role: "assistant",
    parentID,
    time: completed ? { created: 1, completed } : { created: 1 },
    modelID: "m",
    providerID: "p",
    mode: "build",
    agent: "build",
    path: { cwd: "/", root: "/" },
    cost,
    tokens: { input: 10, output: 5, reasoning: 0, cache: { read: 0, write: 0 } },
  }
  return { id: "e", type: "message.updated", properties: { sessionID, info } }
}

function textPart(sessionID: string, messageID: string, id: string, text: string, done = false): RuntimeEvent {
  const part: Part = { id, sessionID, messageID, type: "text", text, time: done ? { start: 1, end: 2 } : { start: 1 } }
  return { id: "e", type: "message.part.updated", properties: { sessionID, part, time: 1 } }
}

function delta(sessionID: string, messageID: string, partID: string, d: string): RuntimeEvent {
  return { id: "e", type: "message.part.delta", properties: { sessionID, messageID, partID, field: "text", delta: d } }
}

function status(sessionID: string, type: "busy" | "idle"): RuntimeEvent {
  return { id: "e", type: "session.status", properties: { sessionID, status: { type } } }
}

function snapshotOf(session: string, directory: string, messages: MessageState[], mark: number, extra: Partial<RuntimeSnapshot> = {}): RuntimeSnapshot {
  return {
    directories: [directory],
    statuses: [{ directory, statuses: {} }],
    permissions: [],
    questions: [],
    sessions: [{ id: session, directory, messages: messages.map((m) => ({ info: m.info, parts: m.parts })), mark }],
    missing: [],
    ...extra,
  }
}

describe("store edge cases", () => {
  it("buffers a delta that arrives before its part", () => {
    const store = new Store()
    const u = msgId()
    const a = msgId()
    const p = partId()
    store.applyBatch([user("s1", u), assistant("s1", a, u), delta("s1", a, p, "Hel"), delta("s1", a, p, "lo")])
    store.applyBatch([textPart("s1", a, p, "")])
    expect(lastTurnText(store.session("s1"))).toBe("Hello")
  })

  it("buffers a part that arrives before its message", () => {
    const store = new Store()
    const u = msgId()
    const a = msgId()
    const p = partId()
    store.applyBatch([user("s1", u), textPart("s1", a, p, "early", true), assistant("s1", a, u, 5)])
    expect(lastTurnText(store.session("s1"))).toBe("early")
  })

  it("caps messages per session while the running totals keep every message", () => {
    const store = new Store({ maxMessages: 4 })
    for (let i = 0; i < 10; i++) {
      const u = msgId()
      store.applyBatch([user("s1", u), assistant("s1", msgId(), u, 10 + i, 0.5)])
    }
    const s = store.session("s1")!
    expect(s.messages).toHaveLength(4)
    expect(s.totals.cost).toBeCloseTo(5)
    expect(s.totals.input).toBe(100)
  })

  it("updates of the same message adjust the totals instead of adding again", () => {
    const store = new Store()
    const u = msgId()
    const a = msgId()
    store.applyBatch([user("s1", u), assistant("s1", a, u, undefined, 0.1), assistant("s1", a, u, undefined, 0.3), assistant("s1", a, u, 9, 0.3)])
    expect(store.session("s1")!.totals.cost).toBeCloseTo(0.3)
    expect(store.session("s1")!.totals.output).toBe(5)
  })

  it("announces completion once even when the completed message is updated again", () => {
    const store = new Store()
    const done: string[] = []
    store.events.on("message.completed", (_s, m) => done.push(m.info.id))
    const u = msgId()
    const a = msgId()
    store.applyBatch([user("s1", u), assistant("s1", a, u), assistant("s1", a, u, 9)])
    store.applyBatch([assistant("s1", a, u, 9), assistant("s1", a, u, 9)])
    expect(done).toEqual([a])
  })

  it("a resync of one session keeps every other session's data", () => {
    const store = new Store()
    const [u1, a1, p1, u2, a2, p2] = [msgId(), msgId(), partId(), msgId(), msgId(), partId()]
    store.applyBatch([
      { id: "e", type: "session.created", properties: { sessionID: "A", info: { id: "A", directory: "/d" } as never } },
      { id: "e", type: "session.created", properties: { sessionID: "B", info: { id: "B", directory: "/d" } as never } },
      user("A", u1), assistant("A", a1, u1, 5), textPart("A", a1, p1, "answer A", true),
      user("B", u2), assistant("B", a2, u2, 6), textPart("B", a2, p2, "answer B", true),
    ])
    const aMessages = store.session("A")!.messages
    store.applySnapshot(snapshotOf("A", "/d", aMessages, 0))
    expect(lastTurnText(store.session("B"))).toBe("answer B")
    expect(store.session("B")!.messages).toHaveLength(2)
    expect(lastTurnText(store.session("A"))).toBe("answer A")
  })

  it("a message completed before a gap is not announced again by the resync", () => {
    const store = new Store()
    const done: string[] = []
    store.events.on("message.completed", (_s, m) => done.push(m.info.id))
    const [u, a, p] = [msgId(), msgId(), partId()]
    store.applyBatch([user("A", u), assistant("A", a, u, 9), textPart("A", a, p, "hi", true)])
    store.session("A")!.directory = "/d"
    store.applySnapshot(snapshotOf("A", "/d", store.session("A")!.messages, 0))
    store.applySnapshot(snapshotOf("A", "/d", store.session("A")!.messages, 0))
    expect(done).toEqual([a])
  })

  it("a message that completed during the gap is announced once by the resync", () => {
    const store = new Store()
    const done: string[] = []
    store.events.on("message.completed", (_s, m) => done.push(m.info.id))
    const [u, a, p] = [msgId(), msgId(), partId()]
    store.applyBatch([user("A", u), assistant("A", a, u), textPart("A", a, p, "partial")])
    store.session("A")!.directory = "/d"
    const finished: MessageState = {
      info: (assistant("A", a, u, 20) as { properties: { info: Message } }).properties.info,
      parts: [{ id: p, sessionID: "A", messageID: a, type: "text", text: "partial and complete", time: { start: 1, end: 2 } }],
      announced: false,
    }
    const userState = store.session("A")!.messages[0]!
    store.applySnapshot(snapshotOf("A", "/d", [userState, finished], 0))
    expect(done).toEqual([a])
    expect(lastTurnText(store.session("A"))).toBe("partial and complete")
  })

  it("after a gap a streaming part is frozen until its final snapshot (the runtime persists no partial text)", () => {
    const store = new Store()
    const [u, a, p] = [msgId(), msgId(), partId()]
    store.applyBatch([user("A", u), assistant("A", a, u), textPart("A", a, p, ""), delta("A", a, p, "Hello wor")])
    store.session("A")!.directory = "/d"
    // The server's copy mid-stream has no text yet.
    const serverCopy: MessageState = {
      info: store.session("A")!.messages[1]!.info,
      parts: [{ id: p, sessionID: "A", messageID: a, type: "text", text: "", time: { start: 1 } }],
      announced: false,
    }
    store.applySnapshot(snapshotOf("A", "/d", [store.session("A")!.messages[0]!, serverCopy], 10, { statuses: [{ directory: "/d", statuses: { A: { type: "busy" } } }] }))
    expect(lastTurnText(store.session("A"))).toBe("Hello wor")
    expect(store.catchingUp(p)).toBe(true)
    store.applyBatch([delta("A", a, p, "ld, and more")], 11)
    expect(lastTurnText(store.session("A"))).toBe("Hello wor") // not garbled by a gap-less append
    store.applyBatch([textPart("A", a, p, "Hello world, and more", true)], 12)
    expect(lastTurnText(store.session("A"))).toBe("Hello world, and more")
    expect(store.catchingUp(p)).toBe(false)
  })

  it("when the server copy is ahead, held deltas before the mark are dropped and later ones applied", () => {
    const store = new Store()
    const [u, a, p] = [msgId(), msgId(), partId()]
    store.applyBatch([user("A", u), assistant("A", a, u), textPart("A", a, p, ""), delta("A", a, p, "Hel")])
    store.session("A")!.directory = "/d"
    const serverCopy: MessageState = {
      info: store.session("A")!.messages[1]!.info,
      parts: [{ id: p, sessionID: "A", messageID: a, type: "text", text: "Hello", time: { start: 1 } }],
      announced: false,
    }
    store.applySnapshot(snapshotOf("A", "/d", [store.session("A")!.messages[0]!, serverCopy], 5, { statuses: [{ directory: "/d", statuses: { A: { type: "busy" } } }] }))
    // Index 4 arrived while the snapshot was being fetched: already inside "Hello".
    store.applyBatch([delta("A", a, p, "lo"), delta("A", a, p, " there")], 4)
    expect(lastTurnText(store.session("A"))).toBe("Hello there")
  })

  it("sessions missing on the runtime are dropped with their requests; requests gone are closed", () => {
    const store = new Store()
    const outcomes: string[] = []
    store.events.on("permission.resolved", (r, o) => outcomes.push(`${r.id}:${o.kind}`))
    const deleted: string[] = []
    store.events.on("session.deleted", (id) => deleted.push(id))
    store.applyBatch([
      { id: "e", type: "permission.asked", directory: "/d", properties: { id: "per_1", sessionID: "A", permission: "bash", patterns: ["ls"], metadata: {}, always: [] } },
      { id: "e", type: "permission.asked", directory: "/d", properties: { id: "per_2", sessionID: "B", permission: "bash", patterns: ["ls"], metadata: {}, always: [] } },
    ])
    store.applySnapshot({ directories: ["/d"], statuses: [], permissions: [], questions: [], sessions: [], missing: ["A"] })
    expect(deleted).toEqual(["A"])
    expect(outcomes.sort()).toEqual(["per_1:gone", "per_2:gone"])
    expect(store.session("A")).toBeUndefined()
  })

  it("derives working from messages before the first busy, and stays quiet on repeated busy", () => {
    const store = new Store()
    const seq: string[] = []
    store.events.on("session.status", (s) => seq.push(s.derived))
    const u = msgId()
    const a = msgId()
    store.applyBatch([user("A", u)])
    store.applyBatch([status("A", "busy")])
    store.applyBatch([status("A", "busy")])
    store.applyBatch([assistant("A", a, u, 9)])
    store.applyBatch([status("A", "idle")])
    expect(seq).toEqual(["working", "idle"])
  })

  it("a malformed event is skipped without losing the rest of the batch", () => {
    const store = new Store()
    const u = msgId()
    const broken = { id: "e", type: "message.updated", properties: { sessionID: "A" } } as unknown as RuntimeEvent
    store.applyBatch([broken, user("A", u)])
    expect(store.session("A")!.messages).toHaveLength(1)
  })
})

describe("open requests, indexed by session", () => {
  const asked = (id: string, sessionID: string): RuntimeEvent =>
    ({ type: "permission.asked", properties: { id, sessionID, permission: "bash", patterns: ["ls"], always: ["ls *"], metadata: {} } }) as unknown as RuntimeEvent
  const created = (id: string, parentID?: string): RuntimeEvent =>
    ({ type: "session.created", properties: { sessionID: id, info: { id, title: "t", directory: "/p", time: { created: 1, updated: 1 }, ...(parentID ? { parentID } : {}) } } }) as unknown as RuntimeEvent

  it("per-session lookups, subagents under their parent, closes and drops keep the index exact", () => {
    const store = new Store()
    const many: RuntimeEvent[] = []
    for (let i = 0; i < 20_000; i++) many.push(asked(`per_bulk${i}`, `ses_other${i % 500}`))
    store.applyBatch([created("ses_root"), created("ses_child", "ses_root"), ...many, asked("per_a", "ses_root"), asked("per_b", "ses_child")])
    expect(store.pending("ses_root").permissions.map((p) => p.id)).toEqual(["per_a"])
    expect(store.pendingUnder("ses_root").permissions.map((p) => p.id).sort()).toEqual(["per_a", "per_b"])
    expect(store.session("ses_root")!.derived).toBe("awaiting-input")
    store.applyBatch([{ type: "permission.replied", properties: { sessionID: "ses_root", requestID: "per_a", reply: "once" } } as unknown as RuntimeEvent])
    expect(store.pending("ses_root").permissions).toEqual([])
    expect(store.session("ses_root")!.derived).toBe("idle")
    store.applyBatch([{ type: "session.deleted", properties: { info: { id: "ses_child" } } } as unknown as RuntimeEvent])
    expect(store.pendingUnder("ses_root").permissions).toEqual([])
    expect(store.pending("ses_other7").permissions).toHaveLength(40)
    expect(store.pending().permissions).toHaveLength(20_000)
  })
})
