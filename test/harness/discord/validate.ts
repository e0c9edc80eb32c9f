// Content rules for message bodies (POST/PATCH messages, interaction replies, webhooks): length
// of content, embeds, and legacy components (rows, buttons, selects, custom_id uniqueness), each
// answered 400 / 50035 with Discord's nested `errors` shape. Limits come from ./limits.ts.
import { errors, fieldError, invalidForm } from "./errors.ts"
import { MESSAGE_LIMITS as L } from "./limits.ts"
import type { Json } from "./types.ts"

const COMPONENTS_V2 = 1 << 15
const SELECT_TYPES = new Set([3, 5, 6, 7, 8])

type Problem = [path: string, code: string, message: string]

const maxLen = (n: number) => `Must be ${n} or fewer in length.`
const between = (a: number, b: number) => `Must be between ${a} and ${b} in length.`

function merge(into: Json, add: Json): Json {
  for (const [k, v] of Object.entries(add)) {
    const cur = into[k]
    into[k] = cur && typeof cur === "object" && v && typeof v === "object" ? merge(cur as Json, v as Json) : v
  }
  return into
}

function textLength(embed: Json): number {
  const strings: unknown[] = [embed.title, embed.description, (embed.footer as Json | undefined)?.text, (embed.author as Json | undefined)?.name]
  for (const f of Array.isArray(embed.fields) ? (embed.fields as Json[]) : []) strings.push(f.name, f.value)
  return strings.reduce<number>((n, s) => n + (typeof s === "string" ? s.length : 0), 0)
}

function checkEmbeds(embeds: unknown, out: Problem[]): void {
  if (embeds === undefined || embeds === null) return
  if (!Array.isArray(embeds)) return void out.push(["embeds", "BASE_TYPE_ARRAY", "Must be an array."])
  if (embeds.length > L.embeds) out.push(["embeds", "BASE_TYPE_MAX_LENGTH", maxLen(L.embeds)])
  let total = 0
  embeds.forEach((e: Json, i) => {
    if (typeof e.description === "string" && e.description.length > L.embedDescriptionChars) {
      out.push([`embeds.${i}.description`, "BASE_TYPE_MAX_LENGTH", maxLen(L.embedDescriptionChars)])
    }
    total += textLength(e)
  })
  if (total > L.embedTotalChars) out.push(["embeds", "MAX_EMBED_SIZE_EXCEEDED", `Embed size exceeds maximum size of ${L.embedTotalChars}`])
}

function checkCustomId(c: Json, path: string, seen: Set<string>, out: Problem[]): void {
  const id = c.custom_id
  if (typeof id !== "string" || id.length < 1 || id.length > L.customIdChars) {
    return void out.push([`${path}.custom_id`, "BASE_TYPE_BAD_LENGTH", between(1, L.customIdChars)])
  }
  if (seen.has(id)) out.push([`${path}.custom_id`, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"])
  seen.add(id)
}

function checkButton(b: Json, path: string, seen: Set<string>, out: Problem[]): void {
  const style = b.style
  if (typeof style !== "number" || style < 1 || style > 6) return void out.push([`${path}.style`, "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}."])
  if (style === 5) {
    if (typeof b.url !== "string") out.push([`${path}.url`, "BASE_TYPE_REQUIRED", "This field is required"])
    if (b.custom_id !== undefined) out.push([`${path}.custom_id`, "COMPONENT_LINK_BUTTON_CUSTOM_ID", "A link button cannot have a custom id"])
  } else if (style !== 6) checkCustomId(b, path, seen, out)
  if (typeof b.label === "string" && b.label.length > L.buttonLabelChars) out.push([`${path}.label`, "BASE_TYPE_MAX_LENGTH", maxLen(L.buttonLabelChars)])
  if (style !== 6 && typeof b.label !== "string" && !b.emoji) out.push([`${path}`, "COMPONENT_BUTTON_LABEL_OR_EMOJI", "A button must have a label or an emoji"])
}

function checkSelect(s: Json, path: string, seen: Set<string>, out: Problem[]): void {
  checkCustomId(s, path, seen, out)
  if (s.type === 3) {
    const options = Array.isArray(s.options) ? (s.options as Json[]) : []
    if (options.length < 1 || options.length > L.selectOptions) out.push([`${path}.options`, "BASE_TYPE_BAD_LENGTH", between(1, L.selectOptions)])
    const values = new Set<string>()
    options.forEach((o, i) => {
      if (typeof o.value !== "string" || values.has(o.value)) out.push([`${path}.options.${i}.value`, "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED", "Option values must be unique"])
      if (typeof o.value === "string") values.add(o.value)
    })
  }
  const max = s.max_values ?? 1
  if (typeof max !== "number" || max < 1 || max > L.selectOptions) out.push([`${path}.max_values`, "NUMBER_TYPE_MAX", `int value should be less than or equal to ${L.selectOptions}.`])
}

function checkComponents(components: unknown, flags: number, out: Problem[]): void {
  if (components === undefined || components === null) return
  if (!Array.isArray(components)) return void out.push(["components", "BASE_TYPE_ARRAY", "Must be an array."])
  if (flags & COMPONENTS_V2) return // components v2 layouts are not modelled (README "Not modelled")
  if (components.length > L.actionRows) out.push(["components", "BASE_TYPE_MAX_LENGTH", maxLen(L.actionRows)])
  const seen = new Set<string>()
  components.forEach((row: Json, r) => {
    if (row?.type !== 1) return void out.push([`components.${r}.type`, "COMPONENT_LAYOUT_INVALID", "Top-level components must be action rows"])
    const children = Array.isArray(row.components) ? (row.components as Json[]) : []
    if (children.length < 1) return void out.push([`components.${r}.components`, "BASE_TYPE_BAD_LENGTH", between(1, L.buttonsPerRow)])
    const selects = children.filter((c) => SELECT_TYPES.has(c.type as number)).length
    if (selects > L.selectsPerRow || (selects > 0 && children.length > selects)) {
      out.push([`components.${r}.components`, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width"])
    }
    if (children.length > L.buttonsPerRow) out.push([`components.${r}.components`, "BASE_TYPE_BAD_LENGTH", between(1, L.buttonsPerRow)])
    children.forEach((c, i) => {
      const path = `components.${r}.components.${i}`
      if (c.type === 2) checkButton(c, path, seen, out)
      else if (SELECT_TYPES.has(c.type as number)) checkSelect(c, path, seen, out)
      else out.push([`${path}.type`, "COMPONENT_TYPE_INVALID", "Invalid component type for an action row"])
    })
  })
}

/**
 * Validates a message body. `hasFiles` counts uploads and kept attachments; `partial` (edits)
 * skips the "empty message" rule for fields the edit leaves alone.
 */
export function validateMessageBody(body: Json, opts: { hasFiles: boolean; partial: boolean }): void {
  const out: Problem[] = []
  const content = body.content
  if (content !== undefined && content !== null && typeof content !== "string") out.push(["content", "BASE_TYPE_STRING", "Must be a string."])
  if (typeof content === "string" && content.length > L.contentChars) out.push(["content", "BASE_TYPE_MAX_LENGTH", maxLen(L.contentChars)])
  checkEmbeds(body.embeds, out)
  checkComponents(body.components, typeof body.flags === "number" ? body.flags : 0, out)
  if (out.length) throw invalidForm(out.reduce<Json>((acc, [p, c, m]) => merge(acc, fieldError(p, c, m)), {}))
  if (opts.partial) return
  const hasText = typeof content === "string" && content.length > 0
  const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0
  const hasComponents = Array.isArray(body.components) && body.components.length > 0
  const hasStickers = Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0
  if (!hasText && !hasEmbeds && !hasComponents && !hasStickers && !opts.hasFiles && !body.poll) throw errors.emptyMessage()
}

/** Thread / forum post names are 1–100 characters. */
export function validateThreadName(name: unknown): string {
  if (typeof name !== "string" || name.length < 1 || name.length > L.threadNameChars) {
    throw invalidForm(fieldError("name", "BASE_TYPE_BAD_LENGTH", between(1, L.threadNameChars)))
  }
  return name
}
