import type { Command } from "./types.ts"

export const helpCommand: Command = {
  name: "help",
  aliases: ["commands"],
  summary: "what I understand",
  needs: "nothing",
  async run(ctx) {
    const lines = ctx.commands.map((c) => `- \`${ctx.prefix}${c.usage ?? c.name}\` — ${c.summary}`)
    return {
      reply: [
        "Mention me with a request to start a session in a new thread; reply in the thread to continue it.",
        "While I am working, new messages wait in a queue. Approve or reject requests with the buttons (or reactions, or a reply).",
        "",
        ...lines,
      ].join("\n"),
    }
  },
}
