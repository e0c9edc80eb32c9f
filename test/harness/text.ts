// Reading what the agent said out of the store, for assertions.
import type { SessionState } from "../../src/core/store/types.ts"

/** Text parts (not reasoning) of the assistant messages after the last user message. */
export function lastTurnText(session: SessionState | undefined): string {
  if (!session) return ""
  let out = ""
  for (let i = session.messages.length - 1; i >= 0; i--) {
    const m = session.messages[i]!
    if (m.info.role === "user") break
    let text = ""
    for (const p of m.parts) if (p.type === "text" && !p.synthetic) text += p.text
    out = text + out
  }
  return out
}

export function lastUserMessageID(session: SessionState | undefined): string | undefined {
  if (!session) return undefined
  for (let i = session.messages.length - 1; i >= 0; i--) if (session.messages[i]!.info.role === "user") return session.messages[i]!.info.id
  return undefined
}

/** A long answer with markdown, code and emoji, for streaming tests. */
export function sampleAnswer(paragraphs = 12): string {
  const parts: string[] = []
  for (let i = 0; i < paragraphs; i++) {
    parts.push(`Paragraph ${i + 1}: the agent explains step ${i + 1} with some detail, émojis 🚀👩‍💻 and \`inline code\`.`)
    if (i % 4 === 1) parts.push("```ts\nconst x = " + i + "\nconsole.log(x)\n```")
  }
  return parts.join("\n\n")
}
