// OutMessage → Mattermost post props: buttons and a select as one message attachment whose
// actions carry alphanumeric ids (trap #5) and a signed context, and emoji as Mattermost names.
import { ChatError } from "../../src/chat/errors.ts"
import type { Action, OutMessage } from "../../src/chat/types.ts"
import { LIMITS } from "./limits.ts"
import { PLATFORM } from "./refs.ts"
import { signContext } from "./signing.ts"

export interface Buttons {
  /** Where the Mattermost server POSTs clicks: publicUrl + callbackPath. */
  url: string
  secret: string
  ttlMs: number
}

const STYLE: Record<NonNullable<Action["style"]>, string> = { primary: "primary", danger: "danger", default: "default" }

const label = (s: string) => (s.length > LIMITS.maxActionLabel ? `${s.slice(0, LIMITS.maxActionLabel - 1)}…` : s)

/** The attachment actions for a message; [] without actions or without buttons configured. */
export function actionsOf(message: OutMessage, buttons: Buttons | undefined, nowMs: number): Record<string, unknown>[] {
  if (!buttons) return []
  const actions = message.actions ?? []
  if (actions.length > LIMITS.maxActions) {
    throw new ChatError(PLATFORM, "invalid", `${actions.length} buttons exceed the maximum of ${LIMITS.maxActions} per post`)
  }
  const integration = (id: string) => ({ url: buttons.url, context: signContext(buttons.secret, id, buttons.ttlMs, nowMs) })
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

/** Props for a new post: only when it has actions (the server adds `from_bot`). */
export function createProps(message: OutMessage, buttons: Buttons | undefined, nowMs: number): Record<string, unknown> | undefined {
  const actions = actionsOf(message, buttons, nowMs)
  return actions.length ? { attachments: [{ text: "", actions }] } : undefined
}

/**
 * Props for an edit, always sent: a patch's props replace all props, so `attachments: []` removes
 * earlier buttons and `from_bot` is kept for other integrations' self-filters.
 */
export function editProps(message: OutMessage, buttons: Buttons | undefined, nowMs: number): Record<string, unknown> {
  const actions = actionsOf(message, buttons, nowMs)
  return { from_bot: "true", attachments: actions.length ? [{ text: "", actions }] : [] }
}

const EMOJI: Record<string, string> = {
  "👀": "eyes",
  "✅": "white_check_mark",
  "❌": "x",
  "👍": "+1",
  "👎": "-1",
  "⏳": "hourglass_flowing_sand",
  "🎉": "tada",
  "⚠️": "warning",
  "🛑": "octagonal_sign",
  "🤔": "thinking_face",
}

/** Mattermost wants emoji names: `:name:` loses its colons, a few common characters are mapped. */
export function emojiName(emoji: string): string {
  const name = EMOJI[emoji] ?? emoji.replace(/^:|:$/g, "")
  if (!/^[a-z0-9_+-]{1,64}$/i.test(name)) {
    throw new ChatError(PLATFORM, "invalid", `"${emoji}" is not a Mattermost emoji name (use a short name such as white_check_mark)`)
  }
  return name
}
