// Discord's JSON error replies `{code, message, errors?}` as one class plus the codes the fake
// answers (README "Errors"). The HTTP layer serialises them; everything else only throws them.
import type { Json } from "./types.ts"

export class DiscordError extends Error {
  readonly status: number
  readonly code: number
  readonly errors: Json | undefined

  constructor(status: number, code: number, message: string, errors?: Json) {
    super(message)
    this.name = "DiscordError"
    this.status = status
    this.code = code
    this.errors = errors
  }

  body(): Json {
    return this.errors ? { code: this.code, message: this.message, errors: this.errors } : { code: this.code, message: this.message }
  }
}

/** One field error in the nested shape of 50035: `{a: {0: {b: {_errors: [{code, message}]}}}}`. */
export function fieldError(path: string, code: string, message: string): Json {
  const leaf: Json = { _errors: [{ code, message }] }
  return path
    .split(".")
    .reverse()
    .reduce<Json>((inner, key) => ({ [key]: inner }), leaf)
}

export const invalidForm = (errors: Json) => new DiscordError(400, 50035, "Invalid Form Body", errors)

export const errors = {
  unauthorized: () => new DiscordError(401, 0, "401: Unauthorized"),
  notFound: (what: string) => new DiscordError(404, 0, `404: Not Found (${what})`),
  methodNotAllowed: () => new DiscordError(405, 0, "405: Method Not Allowed"),
  internal: (status: number) => new DiscordError(status, 0, `${status}: Internal Server Error`),
  unknownChannel: () => new DiscordError(404, 10003, "Unknown Channel"),
  unknownGuild: () => new DiscordError(404, 10004, "Unknown Guild"),
  unknownMember: () => new DiscordError(404, 10007, "Unknown Member"),
  unknownMessage: () => new DiscordError(404, 10008, "Unknown Message"),
  unknownRole: () => new DiscordError(404, 10011, "Unknown Role"),
  unknownUser: () => new DiscordError(404, 10013, "Unknown User"),
  unknownEmoji: () => new DiscordError(400, 10014, "Unknown Emoji"),
  unknownWebhook: () => new DiscordError(404, 10015, "Unknown Webhook"),
  unknownCommand: () => new DiscordError(404, 10063, "Unknown application command"),
  unknownInteraction: () => new DiscordError(404, 10062, "Unknown interaction"),
  threadExists: () => new DiscordError(400, 160004, "A thread has already been created for this message"),
  oldEdits: () => new DiscordError(400, 30046, "Maximum number of edits to messages older than 1 hour reached. Try again later."),
  missingAccess: () => new DiscordError(403, 50001, "Missing Access"),
  cannotEditOthers: () => new DiscordError(403, 50005, "Cannot edit a message authored by another user"),
  emptyMessage: () => new DiscordError(400, 50006, "Cannot send an empty message"),
  missingPermissions: () => new DiscordError(403, 50013, "Missing Permissions"),
  invalidWebhookToken: () => new DiscordError(401, 50027, "Invalid Webhook Token"),
  wrongChannelType: () => new DiscordError(400, 50024, "Cannot execute action on this channel type"),
  threadArchived: () => new DiscordError(400, 50083, "Thread is archived"),
  alreadyAcknowledged: () => new DiscordError(400, 40060, "Interaction has already been acknowledged."),
} as const
