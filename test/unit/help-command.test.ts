// `help` is worded for the platform it answers on: chat users mention the bot and click or
// react; a terminal user types and presses number keys.
import { describe, expect, it } from "vitest"
import { terminalCapabilities } from "../../adapters/terminal/adapter.ts"
import type { ChatCapabilities } from "../../src/chat/types.ts"
import { helpCommand, helpText } from "../../src/commands/help.ts"
import { COMMANDS } from "../../src/commands/registry.ts"
import { statusCommand } from "../../src/commands/status.ts"
import { commandSurface, type CommandContext, type CommandSurface } from "../../src/commands/types.ts"

const chat: ChatCapabilities = { ...terminalCapabilities, markdown: "gfm", buttons: true, reactions: true }

describe("command surface", () => {
  it("a terminal has one conversation and number keys; a chat platform mentions and buttons", () => {
    expect(commandSurface("terminal", terminalCapabilities)).toEqual({ platform: "terminal", buttons: false, reactions: false, mentions: false, keys: true })
    expect(commandSurface("mattermost", chat)).toEqual({ platform: "mattermost", buttons: true, reactions: true, mentions: true, keys: false })
    expect(commandSurface("mattermost", { ...chat, buttons: false })).toMatchObject({ buttons: false, reactions: true, keys: false })
  })
})

describe("help", () => {
  const text = (s: CommandSurface, prefix = "!") => helpText(s, prefix, COMMANDS)

  it("in the terminal: no mentions, no buttons, no reactions; the number keys", () => {
    const help = text(commandSurface("terminal", terminalCapabilities), "/")
    expect(help).not.toMatch(/mention/i)
    expect(help).not.toMatch(/button|click|react/i)
    expect(help).toContain("Type a request to start a session")
    expect(help).toContain("When I ask for approval: press the number of your choice or reply yes, always or no")
    expect(help).toContain("When I ask a question: press the number of an option or reply with an option's number or your own words.")
    expect(help).toContain("- `/new [first message]` — start a fresh session in this thread")
  })

  it("on a chat platform with buttons and reactions", () => {
    const help = text(commandSurface("mattermost", chat))
    expect(help.split("\n")[0]).toBe("Mention me with a request to start a session in a new thread; reply in the thread to continue it.")
    expect(help).toContain("When I ask for approval: click one of its buttons, react with one of the emoji it names or reply yes, always or no;")
    expect(help).not.toMatch(/number of your choice/)
    expect(help).toContain("- `!help` — what I understand")
  })

  it("where reactions are the only way to click", () => {
    const help = text(commandSurface("mattermost", { ...chat, buttons: false }))
    expect(help).not.toMatch(/button/)
    expect(help).toContain("When I ask for approval: react with one of the emoji it names or reply yes, always or no;")
  })

  it("the command reads the surface from its context", async () => {
    const ctx = { args: "", user: { id: "u", isBot: false }, prefix: "/", bound: false, admin: false, commands: COMMANDS, surface: commandSurface("terminal", terminalCapabilities) } as unknown as CommandContext
    expect((await helpCommand.run(ctx)).reply).toBe(helpText(ctx.surface, "/", COMMANDS))
    expect((await statusCommand.run(ctx)).ephemeral).toBe("There is no session yet. Type a request to start one.")
    const inChat = { ...ctx, surface: commandSurface("mattermost", chat) }
    expect((await statusCommand.run(inChat)).ephemeral).toContain("Mention me")
  })
})
