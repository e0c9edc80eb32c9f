// What the interaction and command code needs to know about a bound thread, without
// depending on how conversations are run.
import type { ChatAdapter, Space, ThreadRef } from "../../chat/types.ts"
import type { Outbox } from "../../delivery/outbox.ts"

/** One connected chat platform: its adapter and the outbox every call goes through. */
export interface Surface {
  readonly platform: string
  readonly adapter: ChatAdapter
  readonly outbox: Outbox
}

export interface ThreadHost {
  readonly thread: ThreadRef
  readonly surface: Surface
  readonly channel: string
  readonly workspace: string
  readonly space: Space
  /** The project directory of the thread's session. */
  readonly directory: string
  readonly ownerID: string
  readonly ownerName: string | undefined
  /** An interaction message was posted: the answer continues below it. */
  sealTurn(): void
}
