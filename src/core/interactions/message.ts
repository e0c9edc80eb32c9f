// What an interaction looks like in chat: the open request with its buttons (or a select, or
// plain instructions where the platform has neither), and the closed one showing who decided
// what and when, with its actions removed.
import type { Action, ChatCapabilities, OutMessage } from "../../chat/types.ts"
import type { PermissionRequest, QuestionRequest } from "../../runtime/events.ts"
import type { PermissionDecision, QuestionDecision } from "../router/types.ts"
import { fenced, inlineCode } from "../../delivery/render/format.ts"
import { actionId } from "./choices.ts"

export type Request = { kind: "permission"; request: PermissionRequest } | { kind: "question"; request: QuestionRequest }

export type Closure =
  | { how: "answered"; decision: PermissionDecision | QuestionDecision; by: string; always?: "thread" | "project" }
  | { how: "expired"; afterMs: number }
  | { how: "elsewhere"; detail: string }
  | { how: "gone" }
  | { how: "failed"; detail: string }

const MAX_DIFF_LINES = 40

const code = (text: string, md: boolean) => (md ? inlineCode(text) : text)
const block = (text: string, lang: string, md: boolean) => (md ? fenced(text, lang) : text.replace(/^/gm, "    "))

function span(ms: number): string {
  const min = ms / 60_000
  return min >= 1 && Number.isInteger(min) ? `${min} min` : `${Math.round(ms / 1000)} s`
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined
}

function permissionSubject(req: PermissionRequest, md: boolean): string {
  const meta = req.metadata ?? {}
  const command = str(meta.command)
  if (command) return block(`$ ${command}`, "sh", md)
  const file = str(meta.filepath) ?? str(meta.filePath)
  const diff = str(meta.diff)
  if (file && diff) {
    const lines = diff.split("\n")
    const shown = lines.length > MAX_DIFF_LINES ? [...lines.slice(0, MAX_DIFF_LINES), `… ${lines.length - MAX_DIFF_LINES} more lines`] : lines
    return `${code(file, md)}\n${block(shown.join("\n"), "diff", md)}`
  }
  if (file) return code(file, md)
  return req.patterns.map((p) => code(p, md)).join(", ")
}

function title(r: Request, md: boolean): string {
  const bold = (s: string) => (md ? `**${s}**` : s)
  if (r.kind === "permission") return `🔐 ${bold("Permission needed:")} ${code(r.request.permission, md)}`
  const header = r.request.questions.length === 1 ? r.request.questions[0]!.header : "Questions"
  return `❓ ${bold(header || "Question")}`
}

function questionBody(req: QuestionRequest, md: boolean): string {
  return req.questions
    .map((q, qi) => {
      const head = req.questions.length > 1 ? `${qi + 1}. ${q.question}` : q.question
      const options = q.options.map((o, i) => `   ${i + 1}. ${md ? `**${o.label}**` : o.label}${o.description && o.description !== o.label ? ` — ${o.description}` : ""}`)
      return [head, ...options].join("\n")
    })
    .join("\n\n")
}

export interface OpenContext {
  capabilities: ChatCapabilities
  timeoutMs: number
  /** Who may answer, in words ("@alice or an approver"). */
  who: string
  /** Reactions work as answers on this platform. */
  reactions: boolean
  /** Administrators exist: offer "Always in this project" (theirs to give). */
  projectAlways: boolean
  /** The request's deadline (epoch ms): buttons mean nothing after it. */
  deadline: number
  /** The chat command prefix, for the hint that lists grants. */
  prefix: string
}

export function openMessage(r: Request, ctx: OpenContext): OutMessage {
  const md = ctx.capabilities.markdown !== "terminal"
  const italic = (s: string) => (md ? `_${s}_` : s)
  const who = ctx.who
  const lines = [title(r, md)]
  let actions: Action[] | undefined
  let select: OutMessage["select"]
  if (r.kind === "permission") {
    const req = r.request
    lines.push(permissionSubject(req, md))
    const scope = alwaysPatterns(req).map((p) => code(p, md)).join(", ")
    lines.push(`“Always here” allows ${scope} for the rest of this thread${ctx.projectAlways ? `; “Always in project” (administrators) for every thread of this project` : ""}. Switchboard keeps them; \`${ctx.prefix}grants\` lists them.`)
    const how = ctx.capabilities.buttons ? "Click" : ctx.reactions ? "React ✅ once, ♾️ always here or ❌ reject" : "Reply yes, always or no"
    lines.push(italic(`${how}, or reply in this thread with instructions to reject with feedback. ${who} can answer; rejected automatically after ${span(ctx.timeoutMs)}.`))
    if (ctx.capabilities.buttons) {
      actions = [
        { id: actionId(req.id, "once"), label: "Allow once", style: "primary" },
        { id: actionId(req.id, "always"), label: "Always here" },
        ...(ctx.projectAlways ? [{ id: actionId(req.id, "project"), label: "Always in project" }] : []),
        { id: actionId(req.id, "reject"), label: "Reject", style: "danger" as const },
      ]
    }
  } else {
    const req = r.request
    lines.push(questionBody(req, md))
    const single = req.questions.length === 1 ? req.questions[0]! : undefined
    const options = single ? single.options : []
    const multiple = single?.multiple === true
    const caps = ctx.capabilities
    const clip = (s: string) => (s.length > caps.maxActionLabel ? `${s.slice(0, caps.maxActionLabel - 1)}…` : s)
    // One pick: a button per option where they fit. Several picks: a multi-select.
    if (options.length > 0 && !multiple && caps.buttons && options.length + 1 <= caps.maxActions) {
      actions = [
        ...options.map((o, i) => ({ id: actionId(req.id, `o${i}`), label: clip(o.label) })),
        { id: actionId(req.id, "dismiss"), label: "Dismiss", style: "danger" as const },
      ]
    } else if (options.length > 0 && caps.selects) {
      select = {
        id: actionId(req.id, "select"),
        placeholder: multiple ? "Choose one or more…" : "Choose…",
        options: options.map((o, i) => ({ value: String(i), label: clip(o.label) })),
        ...(multiple ? { multiple: true } : {}),
      }
      if (caps.buttons) actions = [{ id: actionId(req.id, "dismiss"), label: "Dismiss", style: "danger" }]
    }
    const how = single?.multiple
      ? select
        ? "Choose one or more, or reply with the numbers of your choices, separated by commas, or your own answer."
        : "Reply with the numbers of your choices, separated by commas, or your own answer."
      : req.questions.length > 1
        ? "Reply with one answer per line (a number or your own words)."
        : actions || select
          ? "Choose an option, or reply with its number or your own answer."
          : "Reply with the number of an option or your own answer."
    lines.push(italic(`${how} ${who} can answer; dismissed automatically after ${span(ctx.timeoutMs)}.`))
  }
  return { text: lines.join("\n\n"), ...(actions ? { actions } : {}), ...(select ? { select } : {}), ...(actions || select ? { actionsExpireAt: ctx.deadline } : {}) }
}

/** What an "Always" for this request allows: its `always` patterns, or the exact ones. */
export function alwaysPatterns(req: PermissionRequest): string[] {
  return req.always.length > 0 ? req.always : req.patterns
}

function describeDecision(r: Request, d: PermissionDecision | QuestionDecision, always?: "thread" | "project"): string {
  if (r.kind === "permission") {
    const p = d as PermissionDecision
    if (always === "thread") return "♾️ Always allowed in this thread"
    if (always === "project") return "♾️ Always allowed in this project"
    if (p.reply === "once") return "✅ Allowed once"
    if (p.reply === "always") return "♾️ Always allowed"
    return p.message ? `❌ Rejected with feedback “${p.message}”` : "❌ Rejected"
  }
  const q = d as QuestionDecision
  if ("reject" in q) return "✖️ Dismissed"
  return `✅ Answered “${q.answers.map((a) => a.join(", ")).join("; ")}”`
}

export function closedMessage(r: Request, closure: Closure, ctx: { capabilities: ChatCapabilities }): OutMessage {
  const md = ctx.capabilities.markdown !== "terminal"
  const head = r.kind === "permission" ? `${title(r, md).replace("Permission needed:", "Permission:")}\n\n${permissionSubject(r.request, md)}` : `${title(r, md)}\n\n${questionBody(r.request, md)}`
  let outcome: string
  switch (closure.how) {
    case "answered":
      outcome = `${describeDecision(r, closure.decision, closure.always)} by ${closure.by}.`
      break
    case "expired":
      outcome = r.kind === "permission" ? `⏱ Nobody answered within ${span(closure.afterMs)}; rejected automatically.` : `⏱ Nobody answered within ${span(closure.afterMs)}; dismissed automatically.`
      break
    case "elsewhere":
      outcome = `Answered in another OpenCode client: ${closure.detail}.`
      break
    case "gone":
      outcome = "No longer pending on OpenCode (it restarted or the session ended)."
      break
    case "failed":
      outcome = `⚠️ ${closure.detail}`
      break
  }
  return { text: `${head}\n\n${md ? `**${outcome}**` : outcome}` }
}
