// The edge of the event stream: each reduced frame type is checked for the fields the reducers
// read (by hand for the hot types, by zod for the rest), and a frame that does not fit is
// refused with a reason naming the field.
import { describe, expect, it } from "vitest"
import { frameProblem } from "../../src/runtime/event-schema.ts"
import { FrameError, parseEventData } from "../../src/runtime/events.ts"

const info = { id: "msg_1", sessionID: "ses_1", role: "assistant", time: { created: 1 } }

describe("event frames at the edge", () => {
  it("accepts the shapes OpenCode sends", () => {
    expect(frameProblem("message.part.delta", { sessionID: "ses_1", messageID: "msg_1", partID: "prt_1", field: "text", delta: "hi" })).toBeUndefined()
    expect(frameProblem("message.part.updated", { part: { id: "prt_1", sessionID: "ses_1", messageID: "msg_1", type: "text", text: "" } })).toBeUndefined()
    expect(frameProblem("message.updated", { sessionID: "ses_1", info })).toBeUndefined()
    expect(frameProblem("session.status", { sessionID: "ses_1", status: { type: "retry", attempt: 2 } })).toBeUndefined()
    expect(frameProblem("permission.replied", { sessionID: "ses_1", requestID: "per_1", reply: "once" })).toBeUndefined()
    expect(frameProblem("some.new.event", { anything: 1 })).toBeUndefined()
  })

  it("refuses what the reducers could not use, naming the field", () => {
    expect(frameProblem("message.part.delta", { sessionID: "ses_1", messageID: "msg_1", partID: "prt_1", field: "text", delta: 5 })).toMatch(/delta/)
    expect(frameProblem("message.part.updated", { part: { id: "", sessionID: "ses_1", messageID: "msg_1", type: "text" } })).toMatch(/part\.id/)
    expect(frameProblem("message.part.updated", { part: null })).toMatch(/part/)
    expect(frameProblem("message.updated", { sessionID: "ses_1", info: { ...info, role: "system" } })).toMatch(/role/)
    expect(frameProblem("message.updated", { sessionID: "ses_1", info: { ...info, time: {} } })).toMatch(/time\.created/)
    expect(frameProblem("session.status", { sessionID: "ses_1", status: { type: "asleep" } })).toMatch(/status\.type/)
    expect(frameProblem("session.status", "not an object")).toMatch(/not an object/)
    expect(frameProblem("permission.replied", { sessionID: "ses_1", requestID: "per_1", reply: "maybe" })).toMatch(/reply/)
    expect(() => parseEventData('{"directory":"/p","payload":{"type":"session.status","properties":{"sessionID":"ses_1","status":{}}}}')).toThrow(FrameError)
  })
})
