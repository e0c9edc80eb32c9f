// The vocabulary of answers: button/select action ids (`sb:<requestID>:<choice>`), reactions,
// and free-text replies, each turned into the runtime's decision. Pure functions.
import type { QuestionDecision } from "../router/types.ts"
import type { QuestionInfo } from "../../runtime/events.ts"

/** `always` keeps the grant for this thread, `project` for the whole project (admins only). */
export type PermissionChoice = "once" | "always" | "project" | "reject"

export interface ReactionChoices {
  once: string[]
  always: string[]
  reject: string[]
  /** Emoji for option 1, 2, 3… of a question. */
  numbers: string[]
}

export const DEFAULT_REACTIONS: ReactionChoices = {
  once: ["white_check_mark", "heavy_check_mark", "+1", "thumbsup", "✅", "✔️", "👍"],
  always: ["infinity", "♾️", "♾"],
  reject: ["x", "no_entry", "-1", "thumbsdown", "❌", "⛔", "👎"],
  numbers: ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
}

const KEYCAPS = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

const PREFIX = "sb:"

export function actionId(requestID: string, choice: string): string {
  return `${PREFIX}${requestID}:${choice}`
}

/** Parses an action id; undefined for anything we did not make (or that was tampered with). */
export function parseActionId(id: string): { requestID: string; choice: string } | undefined {
  const m = /^sb:((?:per|que)_[A-Za-z0-9]{1,60}):(once|always|project|reject|dismiss|select|o\d{1,2})$/.exec(id)
  return m ? { requestID: m[1]!, choice: m[2]! } : undefined
}

/** A person's answer to a permission request: what they chose, and their feedback with a rejection. */
export interface PermissionAnswer {
  choice: PermissionChoice
  message?: string
}

export function permissionChoice(choice: string): PermissionAnswer | undefined {
  return choice === "once" || choice === "always" || choice === "project" || choice === "reject" ? { choice } : undefined
}

/** A button or select choice for a single-question request. */
export function questionDecision(questions: QuestionInfo[], choice: string, value?: string, values?: string[]): QuestionDecision | undefined {
  if (choice === "dismiss") return { reject: true }
  const q = questions[0]
  if (!q || questions.length !== 1) return undefined
  if (choice === "select" && q.multiple && values && values.length > 0) {
    // Every pick must be one of the options, each once.
    const picked = [...new Set(values)].map((v) => (/^\d{1,2}$/.test(v) ? q.options[Number(v)] : undefined))
    if (picked.some((o) => !o)) return undefined
    return { answers: [picked.map((o) => o!.label)] }
  }
  const index = choice === "select" ? Number(value) : Number(choice.slice(1))
  const option = Number.isInteger(index) ? q.options[index] : undefined
  return option ? { answers: [[option.label]] } : undefined
}

export function reactionChoice(emoji: string, map: ReactionChoices): string | undefined {
  const e = emoji.replace(/^:|:$/g, "")
  if (map.once.includes(e)) return "once"
  if (map.always.includes(e)) return "always"
  if (map.reject.includes(e)) return "reject"
  const n = map.numbers.indexOf(e)
  if (n >= 0) return `o${n}`
  const k = KEYCAPS.indexOf(e)
  return k >= 0 ? `o${k}` : undefined
}

const YES = /^(y|yes|ok|okay|allow|approve|approved|allow once|once|go|go ahead|lgtm)[.!]*$/i
const ALWAYS = /^(always|allow always)[.!]*$/i
const NO = /^(n|no|nope|reject|deny|stop|don'?t)[.!]*$/i

/** A thread reply while a permission waits: keywords, or anything else as feedback. */
export function permissionFromText(text: string): PermissionAnswer {
  const t = text.trim()
  if (YES.test(t)) return { choice: "once" }
  if (ALWAYS.test(t)) return { choice: "always" }
  if (NO.test(t)) return { choice: "reject" }
  return { choice: "reject", message: t }
}

/** A thread reply while a question waits: numbers or labels, or the text itself as a custom answer. */
export function questionFromText(questions: QuestionInfo[], text: string): QuestionDecision | undefined {
  const lines = questions.length > 1 ? text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : [text.trim()]
  if (lines.length < questions.length || lines.some((l) => l.length === 0)) return undefined
  const answers: string[][] = []
  for (const [i, q] of questions.entries()) {
    const line = lines[i]!.replace(/^\d+\s*[:.)]\s+(?=\D)/, "")
    const picks = (q.multiple ? line.split(/\s*,\s*/) : [line]).map((p) => pick(q, p))
    if (picks.every((p) => p !== undefined)) {
      answers.push(picks as string[])
      continue
    }
    if (q.custom === false) return undefined
    answers.push([line])
  }
  return { answers }
}

function pick(q: QuestionInfo, text: string): string | undefined {
  const n = /^\d+$/.test(text) ? Number(text) : NaN
  if (n >= 1 && n <= q.options.length) return q.options[n - 1]!.label
  return q.options.find((o) => o.label.toLowerCase() === text.toLowerCase())?.label
}
