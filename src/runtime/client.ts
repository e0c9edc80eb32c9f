// The relay's view of the OpenCode (or Kilo) HTTP API, on top of the v2 SDK client. One
// namespace per domain (sessions, permissions, questions, catalog); every call takes the
// project directory that owns the session, and every failure is a RuntimeError with a code.
import { createOpencodeClient, type OpencodeClient } from "@opencode-ai/sdk/v2"
import type { Agent, McpStatus, ProviderListResponse } from "@opencode-ai/sdk/v2"
import { RuntimeError, toRuntimeError } from "./errors.ts"
import type { PermissionRule } from "./permission-rules.ts"
import type { Message, Part, PermissionRequest, QuestionRequest, Session, SessionStatus } from "./events.ts"

export interface RuntimeConnection {
  url: string
  username?: string
  password?: string
  /** Longest wait for one API call (long-running ones, like compaction, get more). Default 30 s. */
  callTimeoutMs?: number
}

/** Calls that legitimately take long: compaction runs a model turn before it answers. */
const LONG_CALL_MS = 10 * 60_000

export interface MessageWithParts {
  info: Message
  parts: Part[]
}

export type PromptPart =
  | { type: "text"; text: string }
  | { type: "file"; mime: string; url: string; filename?: string }

export interface PromptInput {
  parts: PromptPart[]
  /** Our own id for the user message, so the turn can be followed before any event arrives. */
  messageID?: string
  model?: { providerID: string; modelID: string }
  agent?: string
}

export type PermissionReply = "once" | "always" | "reject"

export function authHeaders(conn: RuntimeConnection): Record<string, string> {
  if (!conn.password) return {}
  const user = conn.username ?? "opencode"
  return { authorization: `Basic ${Buffer.from(`${user}:${conn.password}`).toString("base64")}` }
}

interface Fields<T> {
  data?: T
  error?: unknown
  response?: Response
}

function timedOut(what: string, ms: number, cause: unknown): RuntimeError {
  return new RuntimeError("timeout", `${what} failed: OpenCode did not answer within ${Math.round(ms / 1000)} s.`, { cause })
}

type Run<T> = (options: { signal: AbortSignal }) => Promise<Fields<T>>

/**
 * One API call with a deadline and the client's shutdown signal: a runtime that accepts the
 * request and never answers fails it as `timeout` instead of holding the caller forever.
 */
async function call<T>(what: string, run: Run<T>, limits: { timeoutMs: number; closed: AbortSignal }): Promise<T> {
  let result: Fields<T>
  const timeout = AbortSignal.timeout(limits.timeoutMs)
  try {
    result = await run({ signal: AbortSignal.any([timeout, limits.closed]) })
  } catch (cause) {
    if (cause instanceof RuntimeError) throw cause
    if (timeout.aborted) throw timedOut(what, limits.timeoutMs, cause)
    throw toRuntimeError(what, { cause })
  }
  // The SDK reports an aborted fetch as `{error}` rather than throwing: the signal says why.
  if (timeout.aborted) throw timedOut(what, limits.timeoutMs, result.error)
  const status = result.response?.status ?? 0
  if (result.error !== undefined || status >= 400) {
    throw toRuntimeError(what, { error: result.error, ...(result.response ? { response: result.response } : {}) })
  }
  return result.data as T
}

const dir = (directory: string | undefined) => (directory ? { directory } : {})

export function createRuntimeClient(conn: RuntimeConnection) {
  const sdk: OpencodeClient = createOpencodeClient({ baseUrl: conn.url, headers: authHeaders(conn) })
  const closing = new AbortController()
  const lim = { timeoutMs: conn.callTimeoutMs ?? 30_000, closed: closing.signal }
  const long = { ...lim, timeoutMs: Math.max(LONG_CALL_MS, lim.timeoutMs) }

  const sessions = {
    create: (directory: string | undefined, input: { title?: string; permission?: PermissionRule[]; parentID?: string } = {}) =>
      call<Session>("session.create", (o) => sdk.session.create({ ...dir(directory), ...input }, o), lim),
    update: (directory: string | undefined, sessionID: string, input: { title?: string; permission?: PermissionRule[] }) =>
      call<Session>("session.update", (o) => sdk.session.update({ ...dir(directory), sessionID, ...input }, o), lim),
    get: (directory: string | undefined, sessionID: string) =>
      call<Session>("session.get", (o) => sdk.session.get({ ...dir(directory), sessionID }, o), lim),
    list: (directory: string | undefined, opts: { limit?: number; roots?: boolean } = {}) =>
      call<Session[]>("session.list", (o) => sdk.session.list({ ...dir(directory), ...opts }, o), lim),
    delete: (directory: string | undefined, sessionID: string) =>
      call<boolean>("session.delete", (o) => sdk.session.delete({ ...dir(directory), sessionID }, o), lim),
    promptAsync: async (directory: string | undefined, sessionID: string, input: PromptInput) => {
      await call<unknown>("session.promptAsync", (o) =>
        sdk.session.promptAsync({
          ...dir(directory),
          sessionID,
          parts: input.parts,
          ...(input.messageID ? { messageID: input.messageID } : {}),
          ...(input.model ? { model: input.model } : {}),
          ...(input.agent ? { agent: input.agent } : {}),
        }, o), lim,
      )
    },
    abort: (directory: string | undefined, sessionID: string) =>
      call<boolean>("session.abort", (o) => sdk.session.abort({ ...dir(directory), sessionID }, o), lim),
    status: (directory: string | undefined) =>
      call<Record<string, SessionStatus>>("session.status", (o) => sdk.session.status({ ...dir(directory) }, o), lim),
    messages: (directory: string | undefined, sessionID: string, opts: { limit?: number } = {}) =>
      call<MessageWithParts[]>("session.messages", (o) => sdk.session.messages({ ...dir(directory), sessionID, ...opts }, o), lim),
    revert: (directory: string | undefined, sessionID: string, messageID: string, partID?: string) =>
      call<Session>("session.revert", (o) =>
        sdk.session.revert({ ...dir(directory), sessionID, messageID, ...(partID ? { partID } : {}) }, o), lim,
      ),
    unrevert: (directory: string | undefined, sessionID: string) =>
      call<Session>("session.unrevert", (o) => sdk.session.unrevert({ ...dir(directory), sessionID }, o), lim),
    summarize: (directory: string | undefined, sessionID: string, model?: { providerID: string; modelID: string }) =>
      call<boolean>("session.summarize", (o) => sdk.session.summarize({ ...dir(directory), sessionID, ...(model ?? {}) }, o), long),
  }

  const permissions = {
    list: (directory: string | undefined) =>
      call<PermissionRequest[]>("permission.list", (o) => sdk.permission.list({ ...dir(directory) }, o), lim),
    reply: (directory: string | undefined, requestID: string, reply: PermissionReply, message?: string) =>
      call<boolean>("permission.reply", (o) =>
        sdk.permission.reply({ ...dir(directory), requestID, reply, ...(message ? { message } : {}) }, o), lim,
      ),
  }

  const questions = {
    list: (directory: string | undefined) =>
      call<QuestionRequest[]>("question.list", (o) => sdk.question.list({ ...dir(directory) }, o), lim),
    reply: (directory: string | undefined, requestID: string, answers: string[][]) =>
      call<boolean>("question.reply", (o) => sdk.question.reply({ ...dir(directory), requestID, answers }, o), lim),
    reject: (directory: string | undefined, requestID: string) =>
      call<boolean>("question.reject", (o) => sdk.question.reject({ ...dir(directory), requestID }, o), lim),
  }

  const catalog = {
    providers: (directory: string | undefined) =>
      call<ProviderListResponse>("provider.list", (o) => sdk.provider.list({ ...dir(directory) }, o), lim),
    agents: (directory: string | undefined) => call<Agent[]>("app.agents", (o) => sdk.app.agents({ ...dir(directory) }, o), lim),
    mcpStatus: (directory: string | undefined) =>
      call<Record<string, McpStatus>>("mcp.status", (o) => sdk.mcp.status({ ...dir(directory) }, o), lim),
  }

  return {
    url: conn.url,
    sdk,
    /** Aborts every call in flight (shutdown). */
    close: () => closing.abort(new Error("runtime client closed")),
    headers: authHeaders(conn),
    health: () => call<{ healthy: boolean; version: string }>("global.health", (o) => sdk.global.health(o), lim),
    sessions,
    permissions,
    questions,
    catalog,
  }
}

export type RuntimeClient = ReturnType<typeof createRuntimeClient>
