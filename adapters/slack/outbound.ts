// OutMessage → Block Kit: one `markdown` block with the text (format.ts, ≤ 12,000 characters
// cumulative: past it is `too_long`, never cut), an `actions` block with the buttons and a
// static_select (multi_static_select when the question takes several answers), and the `text`
// fallback for notifications. Broadcast mentions (`<!channel>`, `<!here>`, `<!everyone>`,
// `<!subteam^…>`, and the bare `@channel`/`@here`/`@everyone`) are neutralised in everything we
// post; `link_names` is never set. The actions block's id carries the request's deadline, so a
// click after it is refused (inbound/action.ts). Emoji as Slack names.
import { emojiShortName } from "../../src/chat/emoji.ts"
import { ChatError } from "../../src/chat/errors.ts"
import { neutralize } from "../../src/chat/mass-mentions.ts"
import type { Action, OutMessage, Select } from "../../src/chat/types.ts"
import { toSlackMarkdown } from "./format.ts"
import { LIMITS } from "./limits.ts"
import { PLATFORM } from "./refs.ts"

export type Block = Record<string, unknown>


/** Slack's broadcast syntaxes: `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^ID|@handle>`, and bare words. */
const BROADCAST = /<!(?:channel|here|everyone|subteam\^[A-Z0-9]+)(?:\|[^>]*)?>|(?<![\w@＠])@(?:channel|here|everyone)(?![\w-])/gi

/**
 * `<!here>` becomes `‹!here>` and `@here` becomes `＠here`: same length in UTF-16 (stream.ts
 * relies on that), read alike, ping nobody. Code is left as it is.
 */
export function neutralizeMentions(text: string): string {
  return neutralize(text, BROADCAST, (m) => (m.startsWith("<") ? `‹${m.slice(1)}` : `＠${m.slice(1)}`))
}

/** What a markdown block of ours shows for `text`; throws `too_long` past Slack's cap. */
export function markdownOf(text: string): string {
  const md = neutralizeMentions(toSlackMarkdown(text))
  if (md.length > LIMITS.markdownBlockChars) {
    throw new ChatError(PLATFORM, "too_long", `${md.length} characters exceed Slack's ${LIMITS.markdownBlockChars}-character markdown limit per message`)
  }
  return md
}

/** The notification preview: the text, shortened. */
export function fallbackOf(md: string): string {
  const t = md.trim()
  return t.length <= LIMITS.fallbackChars ? t : `${t.slice(0, LIMITS.fallbackChars - 1)}…`
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)
const plainText = (text: string, max: number) => ({ type: "plain_text", text: cut(text, max) || " ", emoji: true })

/** block_id of our actions block: `sb:exp:<epoch ms>` (0 = no deadline). */
export const EXPIRY_PREFIX = "sb:exp:"

export function expiryOf(blockId: unknown): number | undefined {
  if (typeof blockId !== "string" || !blockId.startsWith(EXPIRY_PREFIX)) return undefined
  const at = Number(blockId.slice(EXPIRY_PREFIX.length))
  return Number.isFinite(at) && at > 0 ? at : undefined
}

function button(a: Action): Block {
  return {
    type: "button",
    action_id: a.id,
    text: plainText(a.label, LIMITS.maxActionLabel),
    value: a.id,
    ...(a.style === "primary" || a.style === "danger" ? { style: a.style } : {}),
  }
}

function select(s: Select): Block {
  if (s.options.length === 0 || s.options.length > LIMITS.maxOptions) {
    throw new ChatError(PLATFORM, "invalid", `a select needs 1 to ${LIMITS.maxOptions} options (got ${s.options.length})`)
  }
  const long = s.options.find((o) => o.value.length > LIMITS.maxOptionValue)
  if (long) throw new ChatError(PLATFORM, "invalid", `select option value "${long.value.slice(0, 20)}…" is over ${LIMITS.maxOptionValue} characters`)
  return {
    type: s.multiple ? "multi_static_select" : "static_select",
    action_id: s.id,
    placeholder: plainText(s.placeholder, LIMITS.maxPlaceholder),
    options: s.options.map((o) => ({ text: plainText(o.label, LIMITS.maxOptionLabel), value: o.value })),
  }
}

/** The actions block for a message's buttons and select, or undefined without either. */
export function actionsBlock(message: OutMessage): Block | undefined {
  const actions = message.actions ?? []
  if (actions.length > LIMITS.maxActions) {
    throw new ChatError(PLATFORM, "invalid", `${actions.length} buttons exceed the maximum of ${LIMITS.maxActions} per message`)
  }
  const elements = [...actions.map(button), ...(message.select ? [select(message.select)] : [])]
  if (elements.length === 0) return undefined
  return { type: "actions", block_id: `${EXPIRY_PREFIX}${message.actionsExpireAt ?? 0}`, elements }
}

export interface Payload {
  text: string
  blocks: Block[]
}

/** Everything chat.postMessage / chat.update / response_url need for a message. */
export function payloadOf(message: OutMessage): Payload {
  const md = message.text.trim() === "" ? "" : markdownOf(message.text)
  const actions = actionsBlock(message)
  const blocks: Block[] = [...(md ? [{ type: "markdown", text: md }] : []), ...(actions ? [actions] : [])]
  if (blocks.length === 0) throw new ChatError(PLATFORM, "invalid", "an empty message (no text, no buttons) cannot be posted")
  const labels = [...(message.actions ?? []).map((a) => a.label), ...(message.select ? [message.select.placeholder] : [])]
  return { text: fallbackOf(md) || neutralizeMentions(labels.join(" / ")), blocks }
}

/** The text of our markdown blocks in a message read back from Slack (recentPosts), else its `text`. */
export function shownText(message: { text?: unknown; blocks?: unknown }): string {
  const blocks = Array.isArray(message.blocks) ? (message.blocks as Block[]) : []
  const md = blocks.filter((b) => b.type === "markdown" && typeof b.text === "string").map((b) => b.text as string)
  return md.length > 0 ? md.join("\n") : typeof message.text === "string" ? message.text : ""
}

/** Slack wants emoji names: `:name:` loses its colons, a few common characters are mapped. */
export function emojiName(emoji: string): string {
  const name = emojiShortName(emoji)
  if (!/^[a-z0-9_+'-]{1,100}$/i.test(name)) {
    throw new ChatError(PLATFORM, "invalid", `"${emoji}" is not a Slack emoji name (use a short name such as white_check_mark)`)
  }
  return name
}

/** An incoming reaction name as the core wants it: without colons or a skin tone. */
export function reactionName(name: string): string {
  return name.replace(/::skin-tone-\d$/, "")
}
