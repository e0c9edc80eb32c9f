// The Web API dispatcher: the table of methods the fake implements and the order Slack checks a
// call in — unknown method, token (missing → not_authed, unknown → invalid_auth, wrong kind →
// not_allowed_token_type), rate limit (429), armed faults, scope (missing_scope with
// needed/provided), then the handler. Every answer is HTTP 200 `{ok:…}` except the 429.
import { chatMethods } from "./api-chat.ts"
import { fileMethods } from "./api-files.ts"
import { readMethods } from "./api-read.ts"
import type { Upload } from "./http.ts"
import type { Faults, RateLimiter } from "./rate-limit.ts"
import type { FakeState } from "./state.ts"
import { SlackError, type Json } from "./types.ts"

export interface ApiContext {
  state: FakeState
  args: Json
  uploads: Upload[]
  /** Issues a Socket Mode ticket and returns the WebSocket URL (apps.connections.open). */
  openConnection: () => string
}

export interface MethodSpec {
  handler: (ctx: ApiContext) => Json
  /** Which token the method takes; default the bot token. */
  token?: "bot" | "app"
  /** The scope the call needs (may depend on the channel's type); none when undefined. */
  scope?: (state: FakeState, args: Json) => string | undefined
  /** Extra response headers (auth.test's x-oauth-scopes). */
  headers?: (state: FakeState) => Record<string, string>
}

export type MethodTable = Record<string, MethodSpec>

export const METHODS: MethodTable = { ...chatMethods, ...readMethods, ...fileMethods }

export type ApiOk = { status: 200; body: Json; headers: Record<string, string>; intercepted?: "fault" }
export type ApiAnswer = ApiOk | { status: 429; retryAfterSec: number; intercepted: "rate-limit" | "forced-429" }

export interface ApiDeps {
  state: FakeState
  limiter: RateLimiter
  faults: Faults
  openConnection: () => string
}

const fail = (error: string, extra: Json = {}): ApiOk => ({ status: 200, body: { ok: false, error, ...extra }, headers: {} })

export function callMethod(deps: ApiDeps, method: string, token: string, args: Json, uploads: Upload[]): ApiAnswer {
  const { state } = deps
  const spec = METHODS[method]
  if (!spec) return fail("unknown_method")
  if (!token) return fail("not_authed")
  const kind = token === state.bot.token ? "bot" : token === state.bot.appToken ? "app" : undefined
  if (!kind) return fail("invalid_auth")
  if (kind !== (spec.token ?? "bot")) return fail("not_allowed_token_type")
  const channel = typeof args.channel === "string" ? args.channel : undefined
  const decision = deps.limiter.check(method, channel)
  if (decision.limited) {
    return { status: 429, retryAfterSec: decision.retryAfterSec, intercepted: decision.reason === "forced" ? "forced-429" : "rate-limit" }
  }
  const injected = deps.faults.take(method)
  if (injected) return { ...fail(injected), intercepted: "fault" }
  const needed = spec.scope?.(state, args)
  if (needed && !state.hasScope(needed)) return fail("missing_scope", { needed, provided: state.grantedScopes().join(",") })
  try {
    const result = spec.handler({ state, args, uploads, openConnection: deps.openConnection })
    return { status: 200, body: { ok: true, ...result }, headers: spec.headers?.(state) ?? {} }
  } catch (err) {
    if (err instanceof SlackError) return fail(err.error, err.extra)
    throw err
  }
}
