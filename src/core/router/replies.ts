// Binds the router's reply calls to the runtime client: each request is answered in the
// project directory of its session, which the store knows.
import type { RuntimeClient } from "../../runtime/client.ts"
import type { Store } from "../store/store.ts"
import type { RuntimeReplies } from "./types.ts"

export function runtimeReplies(client: RuntimeClient, store: Store): RuntimeReplies {
  const dirOf = (sessionID: string) => store.session(sessionID)?.directory
  return {
    async permission(request, decision) {
      await client.permissions.reply(dirOf(request.sessionID), request.id, decision.reply, decision.message)
    },
    async question(request, decision) {
      const dir = dirOf(request.sessionID)
      if ("reject" in decision) await client.questions.reject(dir, request.id)
      else await client.questions.reply(dir, request.id, decision.answers)
    },
  }
}
