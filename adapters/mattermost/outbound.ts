// OutMessage → Mattermost post props: buttons and a select as one message attachment whose
// actions carry alphanumeric ids (docs/platform-traps.md, Mattermost #5) and a context signed for
// that post and the request's deadline; agent text with channel-wide mentions neutralised; emoji
// as Mattermost names.
import { emojiShortName } from "../../src/chat/emoji.ts"
import { ChatError } from "../../src/chat/errors.ts"
import { neutralize } from "../../src/chat/mass-mentions.ts"
import type { Action, OutMessage } from "../../src/chat/types.ts"
import { LIMITS } from "./limits.ts"
import { PLATFORM } from "./refs.ts"
import { signContext } from "./signing.ts"

export interface Buttons {
  /** Where the Mattermost server POSTs clicks: publicUrl + callbackPath. */
  url: string
  secret: string
  /** Longest life of a button when the message names no deadline. */
  ttlMs: number
}

/** `@channel`, `@all`, `@here` as whole words: Mattermost pings every member for them. */
const BROADCAST = /(?<![\w@＠])@(channel|all|here)(?![\w-])/gi

/**
 * Channel-wide mentions in text we post become "＠channel" (a full-width at sign, the same
 * length in UTF-16), which Mattermost does not treat as a mention. Code is left alone.
 */
export function neutralizeMentions(text: string): string {
  return neutralize(text, BROADCAST, (m) => `＠${m.slice(1)}`)
}

/** Whether a message needs buttons (and so must be posted first, then signed for its id). */
export function hasActions(message: OutMessage, buttons: Buttons | undefined): boolean {
  return Boolean(buttons && ((message.actions?.length ?? 0) > 0 || message.select))
}

const STYLE: Record<NonNullable<Action["style"]>, string> = { primary: "primary", danger: "danger", default: "default" }

const label = (s: string) => (s.length > LIMITS.maxActionLabel ? `${s.slice(0, LIMITS.maxActionLabel - 1)}…` : s)

/** The attachment actions for a message on post `postId`; [] without actions or without buttons configured. */
export function actionsOf(message: OutMessage, buttons: Buttons | undefined, postId: string, nowMs: number): Record<string, unknown>[] {
  if (!buttons) return []
  const actions = message.actions ?? []
  if (actions.length > LIMITS.maxActions) {
    throw new ChatError(PLATFORM, "invalid", `${actions.length} buttons exceed the maximum of ${LIMITS.maxActions} per post`)
  }
  const expires = Math.min(message.actionsExpireAt ?? Infinity, nowMs + buttons.ttlMs)
  const integration = (id: string) => ({ url: buttons.url, context: signContext(buttons.secret, id, postId, expires) })
  const out: Record<string, unknown>[] = actions.map((a, i) => ({
    id: `a${i}`,
    type: "button",
    name: label(a.label),
    style: STYLE[a.style ?? "default"],
    integration: integration(a.id),
  }))
  const select = message.select
  if (select) {
    out.push({
      id: "s0",
      type: "select",
      name: label(select.placeholder),
      options: select.options.map((o) => ({ text: label(o.label), value: o.value })),
      integration: integration(select.id),
    })
  }
  return out
}

/**
 * Props for an edit, always sent: a patch's props replace all props, so `attachments: []` removes
 * earlier buttons and `from_bot` is kept for other integrations' self-filters. Buttons are only
 * ever added by an edit, once the post id they are signed for exists.
 */
export function editProps(message: OutMessage, buttons: Buttons | undefined, postId: string, nowMs: number): Record<string, unknown> {
  const actions = actionsOf(message, buttons, postId, nowMs)
  return { from_bot: "true", attachments: actions.length ? [{ text: "", actions }] : [] }
}

/** Mattermost wants emoji names: `:name:` loses its colons, a few common characters are mapped. */
export function emojiName(emoji: string): string {
  const name = emojiShortName(emoji)
  if (!/^[a-z0-9_+-]{1,64}$/i.test(name)) {
    throw new ChatError(PLATFORM, "invalid", `"${emoji}" is not a Mattermost emoji name (use a short name such as white_check_mark)`)
  }
  return name
}
