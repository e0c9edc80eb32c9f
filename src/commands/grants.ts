import type { Command } from "./types.ts"

const age = (ms: number) => (ms < 3_600_000 ? `${Math.max(1, Math.round(ms / 60_000))} min ago` : ms < 172_800_000 ? `${Math.round(ms / 3_600_000)} h ago` : `${Math.round(ms / 86_400_000)} days ago`)

export const grantsCommand: Command = {
  name: "grants",
  aliases: ["always"],
  summary: "the “Always” answers in force here; `revoke <n>` takes one back",
  usage: "grants [revoke <n>]",
  needs: "prompt",
  async run(ctx) {
    if (!ctx.bound) return { ephemeral: "This thread has no session yet, so no grants apply to it." }
    const revoke = /^revoke\s+#?(\d+)$/i.exec(ctx.args)
    if (revoke) return { reply: await ctx.api.revokeGrant(Number(revoke[1])) }
    if (ctx.args) return { ephemeral: `Usage: \`${ctx.prefix}grants\` or \`${ctx.prefix}grants revoke <n>\`.` }
    const list = await ctx.api.grants()
    if (list.length === 0) return { reply: "No “Always” answers apply here: every request asks." }
    const now = Date.now()
    const lines = list.map((g) => `- #${g.id} ${g.scope === "project" ? "project-wide" : "this thread"}: \`${g.permission}\` ${g.patterns.map((p) => `\`${p}\``).join(", ")} — by ${g.by}, ${age(now - g.at)}`)
    return { reply: ["“Always” answers in force here:", ...lines, "", `\`${ctx.prefix}grants revoke <n>\` takes one back.`].join("\n") }
  },
}
