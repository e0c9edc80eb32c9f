// What the bot understands, worded for the platform it answers on: a chat user mentions the bot
// and clicks or reacts; a terminal user just types and presses number keys.
import type { Command, CommandSurface } from "./types.ts"

const either = (ways: string[]) => (ways.length > 1 ? `${ways.slice(0, -1).join(", ")} or ${ways.at(-1)}` : (ways[0] ?? ""))

/** How people answer requests for approval and questions on this surface. */
function answering(s: CommandSurface): string[] {
  const pick = s.keys ? ["press the number of your choice"] : s.buttons ? ["click one of its buttons"] : []
  const react = s.reactions ? ["react with one of the emoji it names"] : []
  return [
    `When I ask for approval: ${either([...pick, ...react, "reply yes, always or no"])}; any other reply rejects with your words as instructions.`,
    `When I ask a question: ${either([...(s.keys ? ["press the number of an option"] : s.buttons ? ["click an option"] : []), ...react, "reply with an option's number or your own words"])}.`,
  ]
}

export function helpText(surface: CommandSurface, prefix: string, commands: ReadonlyArray<Pick<Command, "name" | "usage" | "summary">>): string {
  const start = surface.mentions
    ? "Mention me with a request to start a session in a new thread; reply in the thread to continue it."
    : `Type a request to start a session; what you type next continues it (\`${prefix}new\` starts a fresh one).`
  return [
    start,
    "While I am working, new messages wait in a queue and go out in order.",
    ...answering(surface),
    "",
    ...commands.map((c) => `- \`${prefix}${c.usage ?? c.name}\` — ${c.summary}`),
  ].join("\n")
}

export const helpCommand: Command = {
  name: "help",
  aliases: ["commands"],
  summary: "what I understand",
  needs: "nothing",
  async run(ctx) {
    return { reply: helpText(ctx.surface, ctx.prefix, ctx.commands) }
  },
}
