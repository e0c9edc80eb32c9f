// Every chat command, looked up by name or alias.
import { abortCommand } from "./abort.ts"
import { grantsCommand } from "./grants.ts"
import { helpCommand } from "./help.ts"
import { newCommand } from "./new.ts"
import { statusCommand } from "./status.ts"
import type { Command } from "./types.ts"

export const COMMANDS: readonly Command[] = [newCommand, abortCommand, statusCommand, grantsCommand, helpCommand]

export function findCommand(name: string, commands: readonly Command[] = COMMANDS): Command | undefined {
  return commands.find((c) => c.name === name || c.aliases?.includes(name))
}

export function unknownCommandText(name: string, prefix: string): string {
  return `Unknown command \`${prefix}${name}\`. Try \`${prefix}help\`.`
}
