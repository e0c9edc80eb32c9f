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
}

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

async function call<T>(what: string, run: () => Promise<Fields<T>>): Promise<T> {
  let result: Fields<T>
  try {
    result = await run()
  } catch (cause) {
    if (cause instanceof RuntimeError) throw cause
    throw toRuntimeError(what, { cause })
  }
  const status = result.response?.status ?? 0
  if (result.error !== undefined || status >= 400) {
    throw toRuntimeError(what, { error: result.error, ...(result.response ? { response: result.response } : {}) })
  }
  return result.data as T
}

const dir = (directory: string | undefined) => (directory ? { directory } : {})

export function createRuntimeClient(conn: RuntimeConnection) {
  const sdk: OpencodeClient = createOpencodeClient({ baseUrl: conn.url, headers: authHeaders(conn) })

  const sessions = {
    create: (directory: string | undefined, input: { title?: string; permission?: PermissionRule[]; parentID?: string } = {}) =>
      call<Session>("session.create", () => sdk.session.create({ ...dir(directory), ...input })),
    update: (directory: string | undefined, sessionID: string, input: { title?: string; permission?: PermissionRule[] }) =>
      call<Session>("session.update", () => sdk.session.update({ ...dir(directory), sessionID, ...input })),
    get: (directory: string | undefined, sessionID: string) =>
      call<Session>("session.get", () => sdk.session.get({ ...dir(directory), sessionID })),
    list: (directory: string | undefined, opts: { limit?: number; roots?: boolean } = {}) =>
      call<Session[]>("session.list", () => sdk.session.list({ ...dir(directory), ...opts })),
    delete: (directory: string | undefined, sessionID: string) =>
      call<boolean>("session.delete", () => sdk.session.delete({ ...dir(directory), sessionID })),
    promptAsync: async (directory: string | undefined, sessionID: string, input: PromptInput) => {
      await call<unknown>("session.promptAsync", () =>
        sdk.session.promptAsync({
          ...dir(directory),
          sessionID,
          parts: input.parts,
          ...(input.messageID ? { messageID: input.messageID } : {}),
          ...(input.model ? { model: input.model } : {}),
          ...(input.agent ? { agent: input.agent } : {}),
        }),
      )
    },
    abort: (directory: string | undefined, sessionID: string) =>
      call<boolean>("session.abort", () => sdk.session.abort({ ...dir(directory), sessionID })),
    status: (directory: string | undefined) =>
      call<Record<string, SessionStatus>>("session.status", () => sdk.session.status({ ...dir(directory) })),
    messages: (directory: string | undefined, sessionID: string, opts: { limit?: number } = {}) =>
      call<MessageWithParts[]>("session.messages", () => sdk.session.messages({ ...dir(directory), sessionID, ...opts })),
    revert: (directory: string | undefined, sessionID: string, messageID: string, partID?: string) =>
      call<Session>("session.revert", () =>
        sdk.session.revert({ ...dir(directory), sessionID, messageID, ...(partID ? { partID } : {}) }),
      ),
    unrevert: (directory: string | undefined, sessionID: string) =>
      call<Session>("session.unrevert", () => sdk.session.unrevert({ ...dir(directory), sessionID })),
    summarize: (directory: string | undefined, sessionID: string, model?: { providerID: string; modelID: string }) =>
      call<boolean>("session.summarize", () => sdk.session.summarize({ ...dir(directory), sessionID, ...(model ?? {}) })),
  }

  const permissions = {
    list: (directory: string | undefined) =>
      call<PermissionRequest[]>("permission.list", () => sdk.permission.list({ ...dir(directory) })),
    reply: (directory: string | undefined, requestID: string, reply: PermissionReply, message?: string) =>
      call<boolean>("permission.reply", () =>
        sdk.permission.reply({ ...dir(directory), requestID, reply, ...(message ? { message } : {}) }),
      ),
  }

  const questions = {
    list: (directory: string | undefined) =>
      call<QuestionRequest[]>("question.list", () => sdk.question.list({ ...dir(directory) })),
    reply: (directory: string | undefined, requestID: string, answers: string[][]) =>
      call<boolean>("question.reply", () => sdk.question.reply({ ...dir(directory), requestID, answers })),
    reject: (directory: string | undefined, requestID: string) =>
      call<boolean>("question.reject", () => sdk.question.reject({ ...dir(directory), requestID })),
  }

  const catalog = {
    providers: (directory: string | undefined) =>
      call<ProviderListResponse>("provider.list", () => sdk.provider.list({ ...dir(directory) })),
    agents: (directory: string | undefined) => call<Agent[]>("app.agents", () => sdk.app.agents({ ...dir(directory) })),
    mcpStatus: (directory: string | undefined) =>
      call<Record<string, McpStatus>>("mcp.status", () => sdk.mcp.status({ ...dir(directory) })),
  }

  return {
    url: conn.url,
    sdk,
    headers: authHeaders(conn),
    health: () => call<{ healthy: boolean; version: string }>("global.health", () => sdk.global.health()),
    sessions,
    permissions,
    questions,
    catalog,
  }
}

export type RuntimeClient = ReturnType<typeof createRuntimeClient>
