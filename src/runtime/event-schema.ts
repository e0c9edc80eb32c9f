// The edge of the event stream: every frame the store reduces is checked for the fields the
// reducers read, with the shapes OpenCode 1.18 sends (opencode-contract: events). Extra fields
// are kept as received; frames of types the store does not reduce pass through unchecked. A
// frame that does not fit is refused with a reason (the stream counts, logs and skips it), so
// a malformed payload never reaches the store.
import { z } from "zod"

const id = z.string().min(1)
const loose = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape)

const session = loose({ id })
const permission = loose({ id, sessionID: id, permission: z.string(), patterns: z.array(z.string()), always: z.array(z.string()), metadata: z.record(z.string(), z.unknown()) })
const question = loose({
  id,
  sessionID: id,
  questions: z.array(loose({ question: z.string(), header: z.string(), options: z.array(loose({ label: z.string(), description: z.string() })) })),
})

/** `properties` of each reduced event type. */
const PROPERTIES: Record<string, z.ZodType> = {
  "message.removed": loose({ sessionID: id, messageID: id }),
  "message.part.removed": loose({ sessionID: id, messageID: id, partID: id }),
  "session.created": loose({ info: session }),
  "session.updated": loose({ info: session }),
  "session.deleted": loose({ info: session.optional(), sessionID: id.optional() }),
  "session.idle": loose({ sessionID: id }),
  "session.compacted": loose({ sessionID: id }),
  "session.diff": loose({ sessionID: id, diff: z.array(z.unknown()) }),
  "session.error": loose({ sessionID: id.optional(), error: z.unknown().optional() }),
  "permission.asked": permission,
  "permission.replied": loose({ sessionID: id, requestID: id, reply: z.enum(["once", "always", "reject"]) }),
  "question.asked": question,
  "question.replied": loose({ sessionID: id, requestID: id, answers: z.array(z.array(z.string())) }),
  "question.rejected": loose({ sessionID: id, requestID: id }),
  "todo.updated": loose({ sessionID: id, todos: z.array(loose({ content: z.string(), status: z.string() })) }),
  "file.edited": loose({ file: z.string() }),
  "server.instance.disposed": loose({ directory: z.string() }),
}

/**
 * Deltas are three frames in four: checked by hand (zod would cost a third of the frame's
 * JSON.parse on the hottest path), with the same rules.
 */
function deltaProblem(p: Record<string, unknown>): string | undefined {
  for (const key of ["sessionID", "messageID", "partID", "field"] as const) if (typeof p[key] !== "string" || p[key] === "") return `properties.${key} is not an id`
  return typeof p.delta === "string" ? undefined : "properties.delta is not a string"
}

/** Part updates are most of the rest (every tool state, every finished text): by hand as well. */
function partProblem(p: Record<string, unknown>): string | undefined {
  const part = p.part as Record<string, unknown> | null | undefined
  if (!part || typeof part !== "object") return "properties.part is not an object"
  for (const key of ["id", "sessionID", "messageID"] as const) if (typeof part[key] !== "string" || part[key] === "") return `properties.part.${key} is not an id`
  return typeof part.type === "string" ? undefined : "properties.part.type is not a string"
}

/** Message updates come several times per message; statuses twice per turn and per retry. */
function messageProblem(p: Record<string, unknown>): string | undefined {
  if (typeof p.sessionID !== "string" || p.sessionID === "") return "properties.sessionID is not an id"
  const info = p.info as Record<string, unknown> | null | undefined
  if (!info || typeof info !== "object") return "properties.info is not an object"
  for (const key of ["id", "sessionID"] as const) if (typeof info[key] !== "string" || info[key] === "") return `properties.info.${key} is not an id`
  if (info.role !== "user" && info.role !== "assistant") return 'properties.info.role is not "user" or "assistant"'
  const time = info.time as Record<string, unknown> | null | undefined
  return time && typeof time === "object" && typeof time.created === "number" ? undefined : "properties.info.time.created is not a number"
}

function statusProblem(p: Record<string, unknown>): string | undefined {
  if (typeof p.sessionID !== "string" || p.sessionID === "") return "properties.sessionID is not an id"
  const status = p.status as Record<string, unknown> | null | undefined
  const type = status && typeof status === "object" ? status.type : undefined
  return type === "idle" || type === "busy" || type === "retry" ? undefined : 'properties.status.type is not "idle", "busy" or "retry"'
}

const BY_HAND: Record<string, (p: Record<string, unknown>) => string | undefined> = {
  "message.part.delta": deltaProblem,
  "message.part.updated": partProblem,
  "message.updated": messageProblem,
  "session.status": statusProblem,
}

/** Why a frame cannot be applied, or undefined when it can. */
export function frameProblem(type: string, properties: unknown): string | undefined {
  const check = BY_HAND[type]
  if (check) return properties && typeof properties === "object" ? check(properties as Record<string, unknown>) : "properties is not an object"
  const schema = PROPERTIES[type]
  if (!schema) return undefined
  const result = schema.safeParse(properties)
  if (result.success) return undefined
  const issue = result.error.issues[0]
  return `properties.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`
}
