import type { Command } from "./types.ts"

export const statusCommand: Command = {
  name: "status",
  summary: "session, model, busy or idle, pending approvals, cost so far",
  needs: "nothing",
  async run(ctx) {
    if (!ctx.bound) {
      return { ephemeral: ctx.surface.mentions ? "This thread has no session yet. Mention me with a request to start one." : "There is no session yet. Type a request to start one." }
    }
    return { reply: await ctx.api.status({ paths: ctx.admin }) }
  },
}
