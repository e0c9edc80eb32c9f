// Command menus: options become buttons (or a select, or commands to type), and a click maps
// back to exactly one command and argument — only in its own thread, only while fresh.
import { describe, expect, it } from "vitest"
import { memoryCapabilities } from "../../adapters/memory/adapter.ts"
import { MENU_TTL_MS, menuMessage, menuPick } from "../../src/core/conversations/menus.ts"
import type { ActionEvent } from "../../src/chat/types.ts"
import { openDatabase } from "../../src/storage/db.ts"
import { createMenuRepo } from "../../src/storage/menus.ts"

const choices = { text: "Pick a model", command: "model", options: [{ label: "GPT", arg: "openai/gpt-5" }, { label: "Claude", arg: "anthropic/claude-sonnet-4-5" }] }
const click = (actionId: string, thread = "t1", value?: string): ActionEvent =>
  ({ kind: "action", platform: "memory", workspace: "w", channel: "c", space: "channel", thread, user: { id: "u1", isBot: false }, id: "e1", at: 0, message: "m1", actionId, ...(value ? { value } : {}) }) as ActionEvent

describe("command menus", () => {
  it("buttons where they fit, a select otherwise, typed commands without either", () => {
    const menus = createMenuRepo(openDatabase(":memory:"))
    const buttons = menuMessage(menus, "t1", choices, memoryCapabilities, "!", 1_000)
    expect(buttons.actions?.map((a) => a.label)).toEqual(["GPT", "Claude"])
    expect(buttons.actions?.every((a) => /^[A-Za-z0-9:_-]{1,64}$/.test(a.id))).toBe(true)
    expect(buttons.actionsExpireAt).toBe(1_000 + MENU_TTL_MS)
    const select = menuMessage(menus, "t1", choices, { ...memoryCapabilities, maxActions: 1 }, "!", 1_000)
    expect(select.select?.options.map((o) => o.label)).toEqual(["GPT", "Claude"])
    const typed = menuMessage(menus, "t1", choices, { ...memoryCapabilities, buttons: false, selects: false }, "!", 1_000)
    expect(typed.text).toContain("`!model anthropic/claude-sonnet-4-5` — Claude")
  })

  it("a click is the command with its argument; elsewhere, late or forged it is nothing", () => {
    const menus = createMenuRepo(openDatabase(":memory:"))
    const m = menuMessage(menus, "t1", choices, memoryCapabilities, "!", 1_000)
    const id = m.actions![1]!.id
    expect(menuPick(menus, click(id), 2_000)).toMatchObject({ ok: true, command: "model", arg: "anthropic/claude-sonnet-4-5" })
    expect(menuPick(menus, click(id, "t2"), 2_000)).toMatchObject({ ok: false })
    expect(menuPick(menus, click(id), 1_000 + MENU_TTL_MS + 1)).toMatchObject({ ok: false })
    expect(menuPick(menus, click(id.replace(/:1$/, ":7")), 2_000)).toMatchObject({ ok: false })
    expect(menuPick(menus, click("cmd:nope:0"), 2_000)).toMatchObject({ ok: false })
    const s = menuMessage(menus, "t1", choices, { ...memoryCapabilities, maxActions: 1 }, "!", 1_000)
    expect(menuPick(menus, click(s.select!.id, "t1", "0"), 2_000)).toMatchObject({ ok: true, arg: "openai/gpt-5" })
    expect(menuPick(menus, click(s.select!.id, "t1", "x"), 2_000)).toMatchObject({ ok: false })
  })
})
