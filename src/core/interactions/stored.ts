// The runtime request a stored interaction was opened for, validated on the way out of SQLite:
// the fields the relay relies on must be there, whatever else the runtime sent is kept.
import { z } from "zod"
import type { InteractionRecord } from "../../storage/interactions.ts"
import type { Request } from "./message.ts"

const permission = z
  .object({ id: z.string(), sessionID: z.string(), permission: z.string(), patterns: z.array(z.string()), always: z.array(z.string()), metadata: z.record(z.string(), z.unknown()) })
  .passthrough()

const question = z
  .object({
    id: z.string(),
    sessionID: z.string(),
    questions: z.array(
      z.object({ question: z.string(), header: z.string(), options: z.array(z.object({ label: z.string(), description: z.string() }).passthrough()), multiple: z.boolean().optional() }).passthrough(),
    ),
  })
  .passthrough()

export class StoredRequestError extends Error {
  readonly code = "interaction_corrupt"
}

export function requestOf(rec: InteractionRecord): Request {
  const schema = rec.kind === "permission" ? permission : question
  const result = schema.safeParse(rec.request)
  if (!result.success) throw new StoredRequestError(`interaction ${rec.requestID}: the stored ${rec.kind} request does not have the expected shape (${result.error.issues[0]?.message ?? "invalid"})`)
  return rec.kind === "permission"
    ? { kind: "permission", request: result.data as unknown as Extract<Request, { kind: "permission" }>["request"] }
    : { kind: "question", request: result.data as unknown as Extract<Request, { kind: "question" }>["request"] }
}
