// A chat message → the runtime's prompt parts: its text, plus attachments as data-URL file
// parts (images, and text the runtime reads inline). Oversized or unsupported files are
// left out with a note the thread sees; an oversized text is refused, never cut silently.
import { isChatError } from "../../chat/errors.ts"
import type { ChatFile } from "../../chat/types.ts"
import type { PromptPart } from "../../runtime/client.ts"

export interface PartLimits {
  maxPromptChars: number
  maxAttachmentBytes: number
}

export type PartsResult = { ok: true; parts: PromptPart[]; notes: string[] } | { ok: false; error: string }

const TEXT_MIME = /^(text\/|application\/(json|xml|yaml|x-yaml|toml|javascript|typescript|x-sh|x-python|sql|graphql|csv)\b)/
const TEXT_EXT = /\.(txt|md|markdown|json|ya?ml|toml|xml|csv|log|diff|patch|sh|py|js|mjs|cjs|ts|tsx|jsx|go|rs|java|kt|rb|php|c|h|cc|cpp|hpp|cs|swift|sql|html|css|scss|ini|cfg|conf|env\.example)$/i
const IMAGE_MAGIC: Array<[string, number[]]> = [
  ["image/png", [0x89, 0x50, 0x4e, 0x47]],
  ["image/jpeg", [0xff, 0xd8, 0xff]],
  ["image/gif", [0x47, 0x49, 0x46, 0x38]],
  ["image/webp", [0x52, 0x49, 0x46, 0x46]],
]

const kb = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`)

/** Characters that render as nothing: a message of only these (and whitespace) says nothing. */
const INVISIBLE = /[\s\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/gu

export function hasVisibleText(text: string): boolean {
  return text.replace(INVISIBLE, "").length > 0
}

function imageType(data: Uint8Array): string | undefined {
  return IMAGE_MAGIC.find(([, magic]) => magic.every((b, i) => data[i] === b))?.[0]
}

function isText(file: ChatFile, data: Uint8Array): boolean {
  if (!TEXT_MIME.test(file.mime) && !TEXT_EXT.test(file.name)) return false
  // A NUL byte in the first 8 KB means binary, whatever the name says.
  return !data.subarray(0, 8192).includes(0)
}

export async function promptParts(text: string, files: ChatFile[], limits: PartLimits): Promise<PartsResult> {
  const trimmed = hasVisibleText(text) ? text.trim() : ""
  if (trimmed.length > limits.maxPromptChars) {
    return {
      ok: false,
      error: `Your message is ${trimmed.length.toLocaleString("en-US")} characters; the limit is ${limits.maxPromptChars.toLocaleString("en-US")}. Attach long content as a text file instead.`,
    }
  }
  const parts: PromptPart[] = []
  const notes: string[] = []
  if (trimmed.length > 0) parts.push({ type: "text", text: trimmed })
  for (const file of files) {
    if (file.size > limits.maxAttachmentBytes) {
      notes.push(`Skipped ${file.name}: ${kb(file.size)} is over the ${kb(limits.maxAttachmentBytes)} limit.`)
      continue
    }
    let data: Uint8Array
    try {
      // The cap is enforced while downloading: a file larger than it says is cut off, not buffered.
      data = await file.fetch({ maxBytes: limits.maxAttachmentBytes })
    } catch (err) {
      const over = isChatError(err, "too_large")
      notes.push(over ? `Skipped ${file.name}: it is over the ${kb(limits.maxAttachmentBytes)} limit.` : `Skipped ${file.name}: it could not be downloaded (${(err as Error).message}).`)
      continue
    }
    const image = imageType(data)
    if (image) {
      parts.push({ type: "file", mime: image, filename: file.name, url: `data:${image};base64,${Buffer.from(data).toString("base64")}` })
    } else if (isText(file, data)) {
      parts.push({ type: "file", mime: "text/plain", filename: file.name, url: `data:text/plain;base64,${Buffer.from(data).toString("base64")}` })
    } else {
      notes.push(`Skipped ${file.name}: only images (PNG, JPEG, GIF, WebP) and text files can be given to the agent.`)
    }
  }
  if (parts.length === 0) {
    return { ok: false, error: notes.length > 0 ? `Nothing to send. ${notes.join(" ")}` : "The message is empty: there is nothing to send." }
  }
  if (!parts.some((p) => p.type === "text")) parts.unshift({ type: "text", text: "See the attached file(s)." })
  return { ok: true, parts, notes }
}
