// Questions as chat shows them and as clicks answer them: one pick by buttons (or a select when
// they do not fit), several picks by a multi-select whose every value must be an option.
import { describe, expect, it } from "vitest"
import { questionDecision } from "../../src/core/interactions/choices.ts"
import { openMessage } from "../../src/core/interactions/message.ts"
import { memoryCapabilities } from "../../adapters/memory/adapter.ts"
import type { QuestionRequest } from "../../src/runtime/events.ts"

const options = [
  { label: "Red", description: "" },
  { label: "Green", description: "" },
  { label: "Blue", description: "" },
]
const question = (multiple: boolean): QuestionRequest => ({ id: "que_1", sessionID: "ses_1", questions: [{ question: "Colours?", header: "Colours", options, multiple }] }) as QuestionRequest
const ctx = { capabilities: memoryCapabilities, timeoutMs: 300_000, who: "@alice", reactions: true, projectAlways: false, deadline: 1, prefix: "!" }

describe("questions in chat", () => {
  it("one pick: a button per option", () => {
    const m = openMessage({ kind: "question", request: question(false) }, ctx)
    expect(m.actions?.map((a) => a.label)).toEqual(["Red", "Green", "Blue", "Dismiss"])
    expect(m.select).toBeUndefined()
  })

  it("several picks: a multi-select, answered with every value picked", () => {
    const m = openMessage({ kind: "question", request: question(true) }, ctx)
    expect(m.select).toMatchObject({ multiple: true, options: [{ value: "0" }, { value: "1" }, { value: "2" }] })
    expect(m.actions?.map((a) => a.label)).toEqual(["Dismiss"])
    const qs = question(true).questions
    expect(questionDecision(qs, "select", "0", ["0", "2"])).toEqual({ answers: [["Red", "Blue"]] })
    expect(questionDecision(qs, "select", "0", ["0", "0"])).toEqual({ answers: [["Red"]] })
    expect(questionDecision(qs, "select", "0", ["0", "7"])).toBeUndefined() // forged value
    expect(questionDecision(qs, "select", "x", ["x"])).toBeUndefined()
  })
})
