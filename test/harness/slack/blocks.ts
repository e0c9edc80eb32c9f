// Block Kit validation for messages, the way the Web API refuses a payload: `invalid_blocks`
// with `response_metadata.messages` lines such as "[ERROR] must be less than 3001 characters
// [json-pointer:/blocks/0/text/text]", `msg_blocks_too_long` for markdown past its cumulative cap,
// and `msg_too_long` for `text`. Structure is checked enough to catch real mistakes (unknown
// block or element types, missing required fields, limits from ./limits.ts); not every rule.
import { LIMITS } from "./limits.ts"
import { SlackError, type Json } from "./types.ts"

const BLOCK_TYPES = new Set([
  "actions", "alert", "card", "carousel", "container", "context", "context_actions", "data_table", "divider",
  "file", "header", "image", "input", "markdown", "rich_text", "section", "table", "task_card", "plan", "video",
])

const ELEMENT_TYPES = new Set([
  "button", "checkboxes", "datepicker", "datetimepicker", "timepicker", "overflow", "radio_buttons",
  "static_select", "external_select", "users_select", "conversations_select", "channels_select",
  "multi_static_select", "multi_external_select", "multi_users_select", "multi_conversations_select",
  "multi_channels_select", "plain_text_input", "rich_text_input", "workflow_button", "image",
  "feedback_buttons", "icon_button", "email_text_input", "number_input", "url_text_input",
])

const STATIC_SELECTS = new Set(["static_select", "multi_static_select"])

class Problems {
  readonly lines: string[] = []
  add(message: string, pointer: string): void {
    this.lines.push(`[ERROR] ${message} [json-pointer:${pointer}]`)
  }
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

function textObject(p: Problems, v: unknown, at: string, max: number, plainOnly = false): void {
  if (!isObject(v)) return p.add("must provide an object", at)
  const type = v.type
  if (type !== "plain_text" && (plainOnly || type !== "mrkdwn")) {
    return p.add(plainOnly ? "must be plain_text" : "must be plain_text or mrkdwn", `${at}/type`)
  }
  if (typeof v.text !== "string") return p.add("must provide a string", `${at}/text`)
  if (v.text.length === 0) p.add("must be more than 0 characters", `${at}/text`)
  if (v.text.length > max) p.add(`must be less than ${max + 1} characters`, `${at}/text`)
}

function maxLen(p: Problems, v: unknown, at: string, max: number, required = false): void {
  if (v === undefined && !required) return
  if (typeof v !== "string") return p.add("must provide a string", at)
  if (v.length > max) p.add(`must be less than ${max + 1} characters`, at)
}

function options(p: Problems, v: unknown, at: string): void {
  if (!Array.isArray(v) || v.length === 0) return p.add("must provide at least 1 option", at)
  if (v.length > LIMITS.selectOptions.max) p.add(`no more than ${LIMITS.selectOptions.max} items allowed`, at)
  v.forEach((o: unknown, i) => {
    if (!isObject(o)) return p.add("must provide an object", `${at}/${i}`)
    textObject(p, o.text, `${at}/${i}/text`, LIMITS.optionTextChars.max, true)
    maxLen(p, o.value, `${at}/${i}/value`, LIMITS.optionValueChars.max, true)
  })
}

function element(p: Problems, v: unknown, at: string, actionIds: Set<string>): void {
  if (!isObject(v) || typeof v.type !== "string") return p.add("must provide an element object with a type", at)
  if (!ELEMENT_TYPES.has(v.type)) return p.add(`unsupported type: ${v.type}`, `${at}/type`)
  if (v.action_id !== undefined) {
    maxLen(p, v.action_id, `${at}/action_id`, LIMITS.actionIdChars.max)
    if (typeof v.action_id === "string") {
      if (actionIds.has(v.action_id)) p.add(`action_id must be unique in the block: ${v.action_id}`, `${at}/action_id`)
      actionIds.add(v.action_id)
    }
  }
  if (v.type === "button") {
    textObject(p, v.text, `${at}/text`, LIMITS.buttonTextChars.max, true)
    maxLen(p, v.value, `${at}/value`, LIMITS.buttonValueChars.max)
    maxLen(p, v.url, `${at}/url`, LIMITS.buttonUrlChars.max)
    if (v.style !== undefined && v.style !== "primary" && v.style !== "danger") p.add("must be primary or danger", `${at}/style`)
  }
  if (STATIC_SELECTS.has(v.type)) {
    if (v.option_groups === undefined) options(p, v.options, `${at}/options`)
    if (v.placeholder !== undefined) textObject(p, v.placeholder, `${at}/placeholder`, 150, true)
  }
  if (v.type === "overflow" || v.type === "radio_buttons" || v.type === "checkboxes") options(p, v.options, `${at}/options`)
  if (v.type === "image") {
    if (typeof v.image_url !== "string" && !isObject(v.slack_file)) p.add("must provide image_url or slack_file", at)
    maxLen(p, v.alt_text, `${at}/alt_text`, LIMITS.imageAltTextChars.max, true)
  }
}

function block(p: Problems, v: unknown, at: string): number {
  if (!isObject(v) || typeof v.type !== "string") {
    p.add("must provide a block object with a type", at)
    return 0
  }
  if (!BLOCK_TYPES.has(v.type)) {
    p.add(`unsupported type: ${v.type}`, `${at}/type`)
    return 0
  }
  maxLen(p, v.block_id, `${at}/block_id`, LIMITS.blockIdChars.max)
  const ids = new Set<string>()
  switch (v.type) {
    case "section": {
      if (v.text === undefined && v.fields === undefined) p.add("must provide text or fields", at)
      if (v.text !== undefined) textObject(p, v.text, `${at}/text`, LIMITS.sectionTextChars.max)
      if (v.fields !== undefined) {
        if (!Array.isArray(v.fields)) p.add("must provide an array", `${at}/fields`)
        else {
          if (v.fields.length > LIMITS.sectionFields.max) p.add(`no more than ${LIMITS.sectionFields.max} items allowed`, `${at}/fields`)
          v.fields.forEach((f: unknown, i) => textObject(p, f, `${at}/fields/${i}`, LIMITS.sectionFieldChars.max))
        }
      }
      if (v.accessory !== undefined) element(p, v.accessory, `${at}/accessory`, ids)
      return 0
    }
    case "header":
      textObject(p, v.text, `${at}/text`, LIMITS.headerTextChars.max, true)
      return 0
    case "markdown":
      if (typeof v.text !== "string") p.add("must provide a string", `${at}/text`)
      return typeof v.text === "string" ? v.text.length : 0
    case "actions":
      if (!Array.isArray(v.elements) || v.elements.length === 0) p.add("must provide at least 1 element", `${at}/elements`)
      else {
        if (v.elements.length > LIMITS.actionsElements.max) p.add(`no more than ${LIMITS.actionsElements.max} items allowed`, `${at}/elements`)
        v.elements.forEach((e: unknown, i) => element(p, e, `${at}/elements/${i}`, ids))
      }
      return 0
    case "context":
      if (!Array.isArray(v.elements) || v.elements.length === 0) p.add("must provide at least 1 element", `${at}/elements`)
      else if (v.elements.length > LIMITS.contextElements.max) p.add(`no more than ${LIMITS.contextElements.max} items allowed`, `${at}/elements`)
      return 0
    case "image":
      if (typeof v.image_url !== "string" && !isObject(v.slack_file)) p.add("must provide image_url or slack_file", at)
      maxLen(p, v.alt_text, `${at}/alt_text`, LIMITS.imageAltTextChars.max, true)
      return 0
    case "rich_text":
      if (!Array.isArray(v.elements)) p.add("must provide an array", `${at}/elements`)
      return 0
    default:
      return 0
  }
}

/**
 * Validates `blocks` for chat.postMessage / chat.update / chat.postEphemeral / chat.stopStream and
 * response_url bodies. Throws `SlackError` (invalid_blocks, with the messages Slack lists, or
 * msg_blocks_too_long). `undefined` means "no blocks given".
 */
export function validateBlocks(blocks: unknown): void {
  if (blocks === undefined) return
  const p = new Problems()
  if (!Array.isArray(blocks)) p.add("must provide an array", "/blocks")
  else {
    if (blocks.length > LIMITS.blocksPerMessage.max) p.add(`no more than ${LIMITS.blocksPerMessage.max} items allowed`, "/blocks")
    const markdown = blocks.reduce((n: number, b: unknown, i) => n + block(p, b, `/blocks/${i}`), 0)
    if (p.lines.length === 0 && markdown > LIMITS.markdownBlocksChars.max) throw new SlackError("msg_blocks_too_long")
  }
  if (p.lines.length > 0) throw new SlackError("invalid_blocks", { response_metadata: { messages: p.lines } })
}

/** `text` of a message: over the limit is refused the way chat.postMessage/update refuse it. */
export function validateText(text: string | undefined): void {
  if (text !== undefined && text.length > LIMITS.textChars.max) throw new SlackError("msg_too_long")
}
