// The process-level guard: escaped library errors are logged and survived; a burst of them
// (more than 20 in a minute) exits so a supervisor restarts the relay.
import { describe, expect, it } from "vitest"
import { escapedErrors } from "../../src/app/crash-guard.ts"
import { silentLogger } from "../../src/log/logger.ts"

describe("crash guard", () => {
  it("survives occasional escaped errors and exits on a burst", () => {
    let t = 0
    const exits: number[] = []
    const errors = escapedErrors(silentLogger, (code) => exits.push(code), () => t)
    for (let i = 0; i < 20; i++) {
      errors.seen("unhandledRejection", new TypeError("Cannot read properties of undefined (reading 'sequence')"))
      t += 5_000 // one every 5 s: never more than 12 in a minute
    }
    expect(exits).toEqual([])
    for (let i = 0; i < 21; i++) errors.seen("uncaughtException", new Error("boom"))
    expect(exits).toEqual([70])
    expect(errors.count).toBe(41)
  })
})
