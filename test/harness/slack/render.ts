// What a person reads: a plain-text rendering of Block Kit blocks (buttons as `[Label]`, selects
// as `[placeholder ▾]`), of stream chunks (the concatenated markdown_text), attachments and
// files; and the lookup of an interactive element in a message's current blocks (for clicks).
import type { Json, Message } from "./types.ts"

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const textOf = (v: unknown): string => (isObject(v) && typeof v.text === "string" ? v.text : "")

function richText(v: unknown): string {
  if (!isObject(v)) return ""
  switch (v.type) {
    case "text":
      return typeof v.text === "string" ? v.text : ""
    case "user":
      return `<@${String(v.user_id)}>`
    case "channel":
      return `<#${String(v.channel_id)}>`
    case "usergroup":
      return `<!subteam^${String(v.usergroup_id)}>`
    case "emoji":
      return `:${String(v.name)}:`
    case "link":
      return typeof v.text === "string" ? v.text : String(v.url)
    case "rich_text_list":
      return arr(v.elements).map((e) => `• ${richText(e)}`).join("\n")
    default:
      return arr(v.elements).map(richText).join("")
  }
}

function elementText(e: unknown): string {
  if (!isObject(e)) return ""
  if (e.type === "button") return `[${textOf(e.text)}]`
  if (typeof e.type === "string" && e.type.endsWith("select")) return `[${textOf(e.placeholder) || "Select"} ▾]`
  if (e.type === "image") return `[image: ${String(e.alt_text ?? "")}]`
  if (e.type === "plain_text" || e.type === "mrkdwn") return textOf(e)
  return `[${String(e.type)}]`
}

function blockText(b: unknown): string {
  if (!isObject(b)) return ""
  switch (b.type) {
    case "section":
      return [textOf(b.text), ...arr(b.fields).map(textOf), b.accessory ? elementText(b.accessory) : ""].filter(Boolean).join("\n")
    case "header":
    case "markdown":
      return typeof b.text === "string" ? b.text : textOf(b.text)
    case "divider":
      return "---"
    case "actions":
    case "context":
      return arr(b.elements).map(elementText).join(" ")
    case "image":
      return `[image: ${String(b.alt_text ?? "")}]`
    case "rich_text":
      return arr(b.elements).map(richText).join("\n")
    default:
      return `[${String(b.type)}]`
  }
}

/** Blocks as the plain text a reader sees, one block per line. */
export function renderBlocks(blocks: Json[]): string {
  return blocks.map(blockText).filter((t) => t !== "").join("\n")
}

/** The text a streamed message shows: every markdown_text chunk, concatenated in order. */
export function streamedText(chunks: Json[]): string {
  return chunks.filter((c) => c.type === "markdown_text").map((c) => String(c.text ?? "")).join("")
}

/**
 * What a person sees for a message: blocks win over `text` (then only the notification fallback);
 * a stream shows its markdown, then any final blocks (until a chat.update replaces it); attachments follow;
 * shared files as `[file: name]`.
 */
export function renderMessage(m: Message, fileNames: string[] = []): string {
  const streamed = m.stream && !m.stream.replaced
  const body = streamed && m.stream ? streamedText(m.stream.chunks) : m.blocks.length > 0 ? "" : m.text
  const attachments = m.attachments.map((a) => {
    const blocks = Array.isArray(a.blocks) ? renderBlocks(a.blocks as Json[]) : ""
    return blocks || String(a.text ?? a.fallback ?? "")
  })
  const files = fileNames.map((n) => `[file: ${n}]`)
  return [body, renderBlocks(m.blocks), ...attachments, ...files].filter((t) => t !== "").join("\n")
}

export interface FoundElement {
  blockId: string
  element: Json
}

/** Every interactive element (actions elements and section accessories) with `actionId`. */
export function findElements(m: Message, actionId: string): FoundElement[] {
  const found: FoundElement[] = []
  for (const b of m.blocks) {
    const blockId = typeof b.block_id === "string" ? b.block_id : ""
    const candidates = b.type === "actions" ? arr(b.elements) : b.type === "section" && b.accessory ? [b.accessory] : []
    for (const e of candidates) if (isObject(e) && e.action_id === actionId) found.push({ blockId, element: e })
  }
  return found
}
