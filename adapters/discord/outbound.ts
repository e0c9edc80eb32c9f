// OutMessage → Discord message JSON: the text, buttons in rows of five, a string select in its
// own row (several values where the message allows it), and `allowed_mentions` that pings nobody
// — the agent's `@everyone` or `<@id>` stays text. A button's custom_id is our opaque action id
// plus the request's deadline, so a late click is refused (docs/discord.md "Components").
import { emojiCharacter } from "../../src/chat/emoji.ts"
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow } from "discord.js"
import { ChatError } from "../../src/chat/errors.ts"
import type { Action, OutMessage, Select } from "../../src/chat/types.ts"
import { LIMITS } from "./limits.ts"
import { PLATFORM } from "./refs.ts"

/** Nobody is pinged by what the relay posts. */
export const NO_PINGS = { parse: [] as never[], replied_user: false }


const STYLE: Record<NonNullable<Action["style"]>, ButtonStyle> = {
  primary: ButtonStyle.Primary,
  danger: ButtonStyle.Danger,
  default: ButtonStyle.Secondary,
}

const SEP = "~"

/** `id` or `id~deadline` (epoch seconds, base 36); the action ids of the contract never contain "~". */
export function encodeCustomId(id: string, expiresAt?: number): string {
  const out = expiresAt === undefined ? id : `${id}${SEP}${Math.floor(expiresAt / 1000).toString(36)}`
  if (!id || id.includes(SEP) || out.length > LIMITS.maxCustomId) {
    throw new ChatError(PLATFORM, "invalid", `action id "${id}" does not fit a Discord custom_id (1–${LIMITS.maxCustomId} characters, no "${SEP}")`)
  }
  return out
}

export function decodeCustomId(customId: string): { id: string; expiresAt?: number } {
  const at = customId.lastIndexOf(SEP)
  if (at < 0) return { id: customId }
  const secs = Number.parseInt(customId.slice(at + 1), 36)
  return Number.isFinite(secs) ? { id: customId.slice(0, at), expiresAt: secs * 1000 } : { id: customId }
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s) || "…"

type Row = APIActionRowComponent<APIComponentInMessageActionRow>

/** Action rows for a message; [] without actions (an edit with [] removes earlier buttons). */
export function componentsOf(message: OutMessage): Row[] {
  const rows: Row[] = []
  const select: Select | undefined = message.select
  const actions = message.actions ?? []
  const buttonRows = Math.ceil(actions.length / 5)
  if (buttonRows + (select ? 1 : 0) > 5) throw new ChatError(PLATFORM, "invalid", `${actions.length} buttons${select ? " and a select" : ""} do not fit Discord's 5 rows`)
  if (select) {
    if (select.options.length === 0 || select.options.length > LIMITS.maxSelectOptions) {
      throw new ChatError(PLATFORM, "invalid", `a select needs 1–${LIMITS.maxSelectOptions} options (got ${select.options.length})`)
    }
    // A multi-select takes one to every option.
    const max = select.multiple ? select.options.length : 1
    rows.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: encodeCustomId(select.id, message.actionsExpireAt),
          placeholder: clip(select.placeholder, LIMITS.maxPlaceholder),
          min_values: 1,
          max_values: max,
          options: select.options.map((o) => ({ label: clip(o.label, LIMITS.maxSelectText), value: o.value.slice(0, LIMITS.maxSelectText) })),
        },
      ],
    })
  }
  for (let i = 0; i < actions.length; i += 5) {
    rows.push({
      type: ComponentType.ActionRow,
      components: actions.slice(i, i + 5).map((a) => ({
        type: ComponentType.Button,
        custom_id: encodeCustomId(a.id, message.actionsExpireAt),
        label: clip(a.label, LIMITS.maxActionLabel),
        style: STYLE[a.style ?? "default"] as ButtonStyle.Primary,
      })),
    })
  }
  return rows
}

/** The JSON of a post or edit: components always sent, so an edit without actions removes them. */
export function messageBody(message: OutMessage, components: boolean): { content: string; components: Row[]; allowed_mentions: typeof NO_PINGS } {
  return { content: message.text, components: components ? componentsOf(message) : [], allowed_mentions: NO_PINGS }
}

/** The emoji as a reaction route wants it: the character, or `name:id` for a server's own emoji. */
export function reactionEmoji(emoji: string): string {
  const bare = emoji.trim().replace(/^<a?:/, "").replace(/>$/, "").replace(/^:|:$/g, "")
  const mapped = emojiCharacter(bare)
  if (mapped) return mapped
  if (/^[\w-]{2,32}:\d+$/.test(bare)) return bare
  if (/^[\w+-]+$/.test(bare)) throw new ChatError(PLATFORM, "invalid", `"${emoji}" is not an emoji Discord knows by name here (use the character, e.g. ✅)`)
  return bare
}
