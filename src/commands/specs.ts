// The command registry as platforms register native commands (slash commands): the same
// names, aliases, help and argument as the prefix commands. A command's free-text argument is
// read from its usage line (`new [first message]`: optional; `<n>`: required), so the two can
// never disagree.
import type { CommandSpec } from "../chat/types.ts"
import type { Command } from "./types.ts"

export function commandSpecs(commands: readonly Command[]): CommandSpec[] {
  return commands.map((c) => {
    const argument = argumentOf(c)
    return {
      name: c.name,
      aliases: [...(c.aliases ?? [])],
      summary: c.summary,
      ...(c.usage ? { usage: c.usage } : {}),
      ...(argument ? { argument } : {}),
    }
  })
}

function argumentOf(c: Command): CommandSpec["argument"] | undefined {
  const rest = c.usage?.slice(c.name.length).trim()
  if (!rest) return undefined
  const required = !rest.startsWith("[")
  const name = rest.replace(/^[[<]|[\]>]$/g, "").trim()
  return { name: slug(name), description: name, required }
}

/** Argument names platforms accept (Discord: 1–32 lower-case word characters). */
function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 32)
  return s || "text"
}
