import type { Command } from "./types.ts"

export const newCommand: Command = {
  name: "new",
  aliases: ["reset"],
  summary: "start a fresh session in this thread",
  usage: "new [first message]",
  needs: "thread",
  async run(ctx) {
    return { reply: await ctx.api.newSession(ctx.args || undefined) }
  },
}
