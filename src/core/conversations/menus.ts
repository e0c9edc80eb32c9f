// Choices a command offers (models, sessions, Diff/Undo …) as a message a person clicks: each
// option stands for the command with one argument, and a click runs exactly that, as if the
// clicker had typed it (the same access checks, the same answer). Platforms without buttons
// get a select, and without either the commands to type.
import type { ActionEvent, ChatCapabilities, OutMessage } from "../../chat/types.ts"
import type { CommandChoices } from "../../commands/types.ts"
import type { Menu, MenuRepo } from "../../storage/menus.ts"

/** How long a menu's buttons work (their commands can always be typed). */
export const MENU_TTL_MS = 24 * 60 * 60 * 1000

const ACTION = /^cmd:([A-Za-z0-9]{1,16}):(\d{1,3}|s)$/

export function isMenuAction(actionId: string): boolean {
  return actionId.startsWith("cmd:")
}

/** Stores the menu and renders it for the platform. */
export function menuMessage(menus: MenuRepo, thread: string, choices: CommandChoices, caps: ChatCapabilities, prefix: string, now: number): OutMessage {
  const menu = menus.create({ thread, command: choices.command, args: choices.options.map((o) => o.arg), createdAt: now })
  const clip = (s: string) => (s.length > caps.maxActionLabel ? `${s.slice(0, caps.maxActionLabel - 1)}…` : s)
  const expires = { actionsExpireAt: now + MENU_TTL_MS }
  const typed = () => choices.options.map((o) => `- \`${prefix}${choices.command} ${o.arg}\` — ${o.label}`).join("\n")
  if (caps.buttons && caps.markdown !== "terminal" && choices.options.length <= caps.maxActions) {
    return { text: choices.text, actions: choices.options.map((o, i) => ({ id: `cmd:${menu.id}:${i}`, label: clip(o.label) })), ...expires }
  }
  if (caps.selects && caps.markdown !== "terminal" && choices.options.length <= 100) {
    return {
      text: choices.text,
      select: { id: `cmd:${menu.id}:s`, placeholder: choices.placeholder ?? "Choose…", options: choices.options.map((o, i) => ({ value: String(i), label: clip(o.label) })) },
      ...expires,
    }
  }
  return { text: `${choices.text}\n\n${typed()}` }
}

export type MenuPick = { ok: true; menu: Menu; command: string; arg: string } | { ok: false; why: string }

/** What a click on a menu means, or why it means nothing. */
export function menuPick(menus: MenuRepo, event: ActionEvent, now: number): MenuPick {
  const m = ACTION.exec(event.actionId)
  const menu = m ? menus.get(m[1]!) : undefined
  if (!m || !menu) return { ok: false, why: "This menu is not known (it may be from before a clean-up); run the command again." }
  if (menu.thread !== event.thread) return { ok: false, why: "This menu does not belong to this thread; nothing was done." }
  if (now - menu.createdAt > MENU_TTL_MS) return { ok: false, why: "This menu is old; run the command again for fresh choices." }
  const index = m[2] === "s" ? Number(event.value) : Number(m[2])
  const arg = Number.isInteger(index) ? menu.args[index] : undefined
  if (arg === undefined) return { ok: false, why: "That choice is not one of this menu's; nothing was done." }
  return { ok: true, menu, command: menu.command, arg }
}
