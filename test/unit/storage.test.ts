// SQLite repositories: migrations, round trips, "close exactly once", queue order, clear
// errors for paths that cannot be opened.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { openDatabase, schemaVersion, StorageError } from "../../src/storage/db.ts"
import { MIGRATIONS } from "../../src/storage/migrations.ts"
import { createRepositories, openRepositories } from "../../src/storage/repositories.ts"

describe("storage", () => {
  it("opens a file in WAL mode and applies every migration once", () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-db-"))
    const path = join(dir, "nested", "switchboard.db")
    const db = openDatabase(path)
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal")
    expect(schemaVersion(db)).toBe(MIGRATIONS.length)
    db.close()
    const again = openDatabase(path) // re-opening does not re-run migrations
    expect(schemaVersion(again)).toBe(MIGRATIONS.length)
    again.close()
  })

  it("a path that cannot be opened is a clear error", () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-db-"))
    const file = join(dir, "not-a-dir")
    writeFileSync(file, "x")
    expect(() => openDatabase(join(file, "db.sqlite"))).toThrow(StorageError)
    expect(() => openDatabase(join(file, "db.sqlite"))).toThrow(/Cannot open the database at .*storage\.path/)
    // A character device as the parent fails for root too, so this holds whoever runs the tests.
    expect(() => openDatabase("/dev/null/nested/db.sqlite")).toThrow(/Cannot open the database at \/dev\/null\/nested/)
  })

  it("refuses a schema newer than the code", () => {
    const db = openDatabase(":memory:")
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`)
    const dir = mkdtempSync(join(tmpdir(), "sb-db-"))
    const path = join(dir, "x.db")
    const f = openDatabase(path)
    f.pragma(`user_version = ${MIGRATIONS.length + 1}`)
    f.close()
    expect(() => openDatabase(path)).toThrow(/newer than this Switchboard/)
  })

  it("bindings, turns and posted messages round-trip", () => {
    const repos = openRepositories(":memory:")
    repos.bindings.save({
      thread: "mm:t:c:root",
      platform: "mm",
      workspace: "t",
      channel: "c",
      space: "channel",
      sessionID: "ses_1",
      runtime: "default",
      directory: "/p",
      ownerID: "u1",
      ownerName: "alice",
      createdAt: 1,
      lastActiveAt: 1,
    })
    repos.bindings.save({ ...repos.bindings.get("mm:t:c:root")!, sessionID: "ses_2", lastActiveAt: 5 })
    expect(repos.bindings.get("mm:t:c:root")).toMatchObject({ sessionID: "ses_2", ownerID: "u1", createdAt: 1 })
    expect(repos.bindings.bySession("ses_2")).toHaveLength(1)
    const turn = repos.turns.start({ thread: "mm:t:c:root", sessionID: "ses_2", userMessageID: "msg_1", promptedBy: "u1", at: 10 })
    repos.turns.recordPost(turn.id, 0, "mm:t:c:p1", 11)
    repos.turns.recordSent(turn.id, 0, "hash", "hello")
    repos.turns.setSeals(turn.id, ["prt_1"])
    expect(repos.turns.active()).toEqual([{ ...turn, seals: ["prt_1"] }])
    expect(repos.turns.posted(turn.id)).toEqual([{ turnID: turn.id, slot: 0, ref: "mm:t:c:p1", sentHash: "hash", sentText: "hello", postedAt: 11 }])
    repos.turns.finish(turn.id, "done", 20)
    expect(repos.turns.active()).toEqual([])
    repos.close()
  })

  it("an interaction closes exactly once", () => {
    const repos = createRepositories(openDatabase(":memory:"))
    const rec = repos.interactions.create({ requestID: "per_1", kind: "permission", sessionID: "s", thread: "t", request: { a: 1 }, options: ["once"], deadline: 100, createdAt: 1 })
    expect(rec.state).toBe("open")
    expect(repos.interactions.create({ ...rec, deadline: 999 }).deadline).toBe(100) // never reset by a re-attach
    repos.interactions.setMessage("per_1", "ref1")
    expect(repos.interactions.byMessage("ref1")?.requestID).toBe("per_1")
    expect(repos.interactions.close("per_1", "answered", { reply: "once" }, "u1", 50)).toBe(true)
    expect(repos.interactions.close("per_1", "expired", null, undefined, 60)).toBe(false)
    expect(repos.interactions.get("per_1")).toMatchObject({ state: "answered", outcome: { reply: "once" }, answeredBy: "u1", answeredAt: 50 })
    expect(repos.interactions.open()).toEqual([])
  })

  it("queues keep order per thread and report the position", () => {
    const repos = openRepositories(":memory:")
    const part = (text: string) => [{ type: "text" as const, text }]
    expect(repos.queue.push({ thread: "a", userID: "u", parts: part("one"), at: 1 }).position).toBe(1)
    expect(repos.queue.push({ thread: "b", userID: "u", parts: part("x"), at: 1 }).position).toBe(1)
    expect(repos.queue.push({ thread: "a", userID: "u", parts: part("two"), at: 2 }).position).toBe(2)
    expect(repos.queue.list("a").map((q) => q.parts[0])).toEqual([{ type: "text", text: "one" }, { type: "text", text: "two" }])
    expect(repos.seen.first("mm", "p1", 1)).toBe(true)
    expect(repos.seen.first("mm", "p1", 2)).toBe(false)
    repos.audit.record({ at: 1, action: "prompt", allowed: false, userID: "u" })
    expect(repos.audit.recent()).toEqual([{ at: 1, action: "prompt", allowed: false, userID: "u" }])
  })

  it("JSON read back is validated: a damaged row fails naming its column, not with a wrong shape", () => {
    const repos = openRepositories(":memory:")
    const turn = repos.turns.start({ thread: "t", sessionID: "ses_1", userMessageID: "msg_1", at: 1 })
    repos.db.prepare("UPDATE turns SET seals = ? WHERE id = ?").run('{"not":"a list"}', turn.id)
    expect(() => repos.turns.get(turn.id)).toThrow(/turns\.seals holds JSON of an unexpected shape/)
    repos.queue.push({ thread: "t", userID: "u", parts: [{ type: "text", text: "hi" }], at: 1 })
    expect(repos.queue.list("t")).toHaveLength(1)
    repos.db.prepare("UPDATE queued_prompts SET parts = ?").run("not json")
    expect(() => repos.queue.list("t")).toThrow(/queued_prompts\.parts holds text that is not JSON/)
    repos.close()
  })
})
