import type { Command } from "./types.ts"

export const abortCommand: Command = {
  name: "abort",
  aliases: ["stop", "cancel"],
  summary: "stop the running answer and drop queued follow-ups",
  needs: "thread",
  async run(ctx) {
    if (!ctx.bound) return { ephemeral: "This thread has no session yet: nothing to stop." }
    return { reply: await ctx.api.abort() }
  },
}
