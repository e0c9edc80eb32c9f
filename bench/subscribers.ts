// Session subscribers for the core benchmarks, doing per batch what a bound thread's
// `Conversation` does in the core: check whether its turn ended, and answer every permission and
// question request it is asked (at once — nobody waits for a person here), the router sending
// each answer to an in-memory runtime. Delivery (render, split, outbox) is left out here; the
// event-loop benchmark (core-lag.ts) runs it.
import type { Router } from "../src/core/router/router.ts"
import type { RuntimeReplies, SessionSubscriber } from "../src/core/router/types.ts"
import { turnEnded } from "../src/core/store/status.ts"
import type { SessionState } from "../src/core/store/types.ts"
import { lastUserMessageID } from "../test/harness/text.ts"

/** Counts every permission/question round-trip from ask to close. */
export class RoundTrips {
  asked = 0
  closed = 0
  /** Closed by our answer (not by the stream saying it was answered elsewhere). */
  answered = 0
  replies = 0
  ended = 0
  /** The runtime's `*.replied` frames, sent on the stream once it has our answer. */
  readonly arriving: string[] = []
  private readonly echo: Map<string, string>

  constructor(echo = new Map<string, string>()) {
    this.echo = echo
  }

  /** The in-memory runtime the router replies to: it answers, then says so on the stream. */
  readonly runtime: RuntimeReplies = {
    permission: async (request) => this.replied(request.id),
    question: async (request) => this.replied(request.id),
  }

  private replied(requestID: string): void {
    this.replies++
    const frame = this.echo.get(requestID)
    if (frame !== undefined) this.arriving.push(frame)
  }

  /** Waits (yielding to the loop) until every asked request is closed; false if some never are. */
  async settled(maxTurns = 1_000): Promise<boolean> {
    for (let i = 0; this.closed < this.asked; i++) {
      if (i >= maxTurns) return false
      await new Promise((r) => setImmediate(r))
    }
    return true
  }
}

/** A subscriber that follows its turn and answers what it is asked. */
export function answering(trips: RoundTrips): SessionSubscriber {
  let userMessageID: string | undefined
  let ended = false
  return {
    onChange(session: SessionState) {
      if (ended) return
      userMessageID ??= lastUserMessageID(session)
      if (userMessageID !== undefined && turnEnded(session, userMessageID)) {
        ended = true
        trips.ended++
      }
    },
    onStatus() {},
    onMessageCompleted() {},
    async onPermission() {
      trips.asked++
      return { reply: "once" }
    },
    async onQuestion(request) {
      trips.asked++
      return { answers: request.questions.map((q) => [q.options.at(-1)?.label ?? ""]) }
    },
    onRequestClosed(_request, result) {
      trips.closed++
      if (result.via === "subscriber") trips.answered++
    },
  }
}

/** A subscriber whose requests wait for a person who does not answer during the benchmark. */
export function waiting(asked?: { count: number }): SessionSubscriber {
  const never = new Promise<never>(() => {})
  const ask = () => {
    if (asked) asked.count++
    return never
  }
  return {
    onChange() {},
    onPermission: ask,
    onQuestion: ask,
    onRequestClosed() {},
  }
}

export function subscribeAll(router: Router, ids: Iterable<string>, make: () => SessionSubscriber): void {
  for (const id of ids) router.subscribe(id, make())
}
