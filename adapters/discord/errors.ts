// Discord failures as ChatErrors, so delivery knows what to do (docs/discord.md "Errors"): a
// rate limit (discord.js throws it instead of waiting, see client.ts) carries its retry time and
// bucket; 50035 on `content` is too_long; unknown message or channel (a deleted thread) is
// not_found; 30046 (edits of old messages) and an expired interaction token are too_old; missing
// access or permissions is forbidden; 5xx, timeouts and network errors are transient.
import { DiscordAPIError, HTTPError, RateLimitError as LibraryRateLimit } from "discord.js"
import { ChatError, RateLimitError, type ChatErrorCode } from "../../src/chat/errors.ts"
import { PLATFORM } from "./refs.ts"

/** Discord's JSON error codes the adapter tells apart. */
export const CODES = {
  unknownChannel: 10003,
  unknownGuild: 10004,
  unknownMember: 10007,
  unknownMessage: 10008,
  unknownInteraction: 10062,
  oldMessageEdits: 30046,
  tooLarge: 40005,
  alreadyAcknowledged: 40060,
  missingAccess: 50001,
  cannotDm: 50007,
  missingPermissions: 50013,
  wrongChannelType: 50024,
  invalidWebhookToken: 50027,
  invalidForm: 50035,
  threadArchived: 50083,
  threadExists: 160004,
} as const

const BY_CODE: Record<number, ChatErrorCode> = {
  [CODES.unknownChannel]: "not_found",
  [CODES.unknownGuild]: "not_found",
  [CODES.unknownMember]: "not_found",
  [CODES.unknownMessage]: "not_found",
  [CODES.unknownInteraction]: "not_found",
  [CODES.oldMessageEdits]: "too_old",
  [CODES.invalidWebhookToken]: "too_old",
  [CODES.tooLarge]: "too_large",
  [CODES.missingAccess]: "forbidden",
  [CODES.cannotDm]: "forbidden",
  [CODES.missingPermissions]: "forbidden",
  [CODES.threadArchived]: "forbidden",
}

/** `{content: {_errors: [{code, message}]}}` → ["content: BASE_TYPE_MAX_LENGTH (Must be …)"]. */
export function fieldErrors(errors: unknown, path = ""): string[] {
  if (!errors || typeof errors !== "object") return []
  const out: string[] = []
  for (const [key, value] of Object.entries(errors as Record<string, unknown>)) {
    if (key === "_errors" && Array.isArray(value)) {
      for (const e of value as Array<{ code?: string; message?: string }>) out.push(`${path || "body"}: ${e.code ?? "?"} (${e.message ?? ""})`)
    } else out.push(...fieldErrors(value, path ? `${path}.${key}` : key))
  }
  return out
}

const NETWORK = /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/

function isNetwork(err: Error): boolean {
  const code = (err as { code?: unknown }).code
  const cause = (err as { cause?: { code?: unknown } }).cause?.code
  return err.name === "AbortError" || err.name === "TimeoutError" || [code, cause].some((c) => typeof c === "string" && NETWORK.test(c))
}

/** The error as a ChatError (errors that are not Discord's or the network's are returned as they are). */
export function toChatError(err: unknown, what: string): unknown {
  if (err instanceof ChatError) return err
  if (err instanceof LibraryRateLimit) {
    return new RateLimitError(PLATFORM, Math.max(1, Math.ceil(err.retryAfter)), err.global ? "global" : "channel", { cause: err })
  }
  if (err instanceof DiscordAPIError) {
    const code = typeof err.code === "number" ? err.code : Number(err.code)
    const fields = code === CODES.invalidForm ? fieldErrors((err.rawError as { errors?: unknown }).errors) : []
    const text = (err.rawError as { message?: string }).message ?? err.message.split("\n")[0]
    const detail = `${what}: HTTP ${err.status} ${code} ${text}${fields.length ? ` [${fields.join("; ")}]` : ""}`
    if (err.status >= 500) return new ChatError(PLATFORM, "transient", detail, { cause: err })
    if (code === CODES.invalidForm) {
      const long = fields.some((f) => /(^|\.)content: BASE_TYPE_MAX_LENGTH/.test(f))
      return new ChatError(PLATFORM, long ? "too_long" : "invalid", detail, { cause: err })
    }
    const byStatus: ChatErrorCode = err.status === 404 ? "not_found" : err.status === 401 || err.status === 403 ? "forbidden" : "invalid"
    return new ChatError(PLATFORM, BY_CODE[code] ?? byStatus, detail, { cause: err })
  }
  if (err instanceof HTTPError) {
    const code = err.status >= 500 || err.status === 429 ? "transient" : "invalid"
    return new ChatError(PLATFORM, code, `${what}: HTTP ${err.status} ${err.message}`, { cause: err })
  }
  if (err instanceof Error && isNetwork(err)) return new ChatError(PLATFORM, "transient", `${what}: network error (${err.message})`, { cause: err })
  return err
}

/** Runs a Discord call; its failure is thrown as a ChatError naming `what` was attempted. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw toChatError(err, what)
  }
}

/** The Discord error code of a failure, if it is one of Discord's JSON errors. */
export function discordCode(err: unknown): number | undefined {
  const cause = err instanceof ChatError ? err.cause : err
  return cause instanceof DiscordAPIError ? Number(cause.code) : undefined
}
