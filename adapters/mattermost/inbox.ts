// Inbound work in order: one chain per channel, so a channel's events reach the core in the order
// they happened while channels do not wait on each other. While held (a recovery is reading
// missed posts), new work waits in arrival order and runs after what the recovery queued.
import type { Logger } from "../../src/log/logger.ts"

type Task = () => Promise<void>

export class Inbox {
  private readonly log: Logger
  private readonly chains = new Map<string, Promise<void>>()
  private held: Array<[string, Task]> | undefined

  constructor(log: Logger) {
    this.log = log
  }

  /** Live work: waits while held. */
  push(key: string, task: Task): void {
    if (this.held) this.held.push([key, task])
    else this.enqueue(key, task)
  }

  /** Work of the recovery that holds the inbox: goes ahead of what waits. */
  pushRecovered(key: string, task: Task): void {
    this.enqueue(key, task)
  }

  private enqueue(key: string, task: Task): void {
    const run = async () => {
      try {
        await task()
      } catch (err) {
        this.log.error({ err, channel: key }, "inbound Mattermost event failed; it was not delivered")
      }
    }
    const next = (this.chains.get(key) ?? Promise.resolve()).then(run)
    this.chains.set(key, next)
    void next.then(() => this.chains.get(key) === next && this.chains.delete(key))
  }

  hold(): void {
    this.held ??= []
  }

  /** Runs what waited during the hold, in arrival order. */
  release(): void {
    const waiting = this.held ?? []
    this.held = undefined
    for (const [key, task] of waiting) this.enqueue(key, task)
  }

  /** Resolves when everything queued so far has run (shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()])
  }
}
