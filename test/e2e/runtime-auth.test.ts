// Attaching to an OpenCode server protected by basic auth: the right password works for the
// API and the event stream; a wrong or missing one is a clear "unauthorized".
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startCore, type CoreHarness } from "../harness/core.ts"
import { text } from "../harness/model-server/index.ts"
import { createRuntimeClient } from "../../src/runtime/client.ts"
import { RuntimeError } from "../../src/runtime/errors.ts"
import { lastTurnText } from "../harness/text.ts"

describe("runtime with basic auth", () => {
  let h: CoreHarness
  beforeAll(async () => {
    h = await startCore({ password: "s3cret-pass" })
  })
  afterAll(async () => {
    await h?.close()
  })

  it("streams with the right password", async () => {
    const sid = await h.newSession()
    const marker = h.model.script([text("Authenticated hello.")])
    await h.prompt(sid, `${marker} hi`)
    expect(lastTurnText(await h.idle(sid))).toBe("Authenticated hello.")
  })

  it("a wrong or missing password is an unauthorized error that says what to check", async () => {
    for (const password of ["wrong", undefined]) {
      const client = createRuntimeClient({ url: h.opencode.url, ...(password ? { password } : {}) })
      const err = await client.sessions.list(h.dir).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(RuntimeError)
      expect((err as RuntimeError).code).toBe("unauthorized")
      expect((err as Error).message).toMatch(/HTTP 401.*runtime\.password/)
    }
  })
})
