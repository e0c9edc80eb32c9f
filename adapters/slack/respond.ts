// The Responder of a click or slash command: Slack's `response_url`, used after the adapter
// acknowledged the envelope. `ephemeral` posts a note only the person who acted sees;
// `update` replaces the clicked message in place (`replace_original`), which costs no
// chat.update budget (test/harness/slack/README.md "chat.update semantics"). A URL works
// 5 times within 30 minutes; past that Slack answers 404 (`used_url`/`expired_url`).
import { ChatError } from "../../src/chat/errors.ts"
import type { OutMessage, Responder } from "../../src/chat/types.ts"
import { LIMITS } from "./limits.ts"
import { payloadOf } from "./outbound.ts"
import { PLATFORM } from "./refs.ts"

async function post(url: string, body: Record<string, unknown>, what: string): Promise<void> {
  let res: Response
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(LIMITS.responseTimeoutMs),
    })
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string }; message?: string }
    const why = e.name === "TimeoutError" ? `no answer within ${LIMITS.responseTimeoutMs} ms` : (e.cause?.code ?? e.message ?? String(err))
    throw new ChatError(PLATFORM, "transient", `${what} failed: ${why}`, { cause: err })
  }
  const answer = (await res.text().catch(() => "")).trim().slice(0, 200)
  if (res.ok) return
  const code = res.status === 404 ? "too_old" : res.status >= 500 ? "transient" : /too_long/.test(answer) ? "too_long" : "invalid"
  throw new ChatError(PLATFORM, code, `${what} failed: HTTP ${res.status}${answer ? ` (${answer})` : ""}`)
}

export function responder(url: string, opts: { canUpdate: boolean }): Responder {
  const r: Responder = {
    ephemeral: async (text: string) => {
      const p = payloadOf({ text })
      await post(url, { response_type: "ephemeral", replace_original: false, text: p.text, blocks: p.blocks }, "private answer (response_url)")
    },
  }
  if (opts.canUpdate) {
    r.update = async (message: OutMessage) => {
      const p = payloadOf(message)
      await post(url, { replace_original: true, text: p.text, blocks: p.blocks }, "replace the clicked message (response_url)")
    }
  }
  return r
}
