// Inbound work in order: one chain per key (a channel), so a channel's events reach the core in
// the order they happened while channels do not wait on each other. While held (a recovery is
// reading missed messages), new work waits in arrival order and runs after what the recovery
// queued. Any adapter with a reconnect-and-catch-up step uses this.
import { KeyedSerial } from "./keyed-serial.ts"

type Task = () => Promise<void>

export class Inbox {
  private readonly onError: (err: unknown, key: string) => void
  private readonly serial = new KeyedSerial()
  private held: Array<[string, Task]> | undefined

  /** `onError`: a task failed (it is not retried; the adapter logs it). */
  constructor(onError: (err: unknown, key: string) => void) {
    this.onError = onError
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
    void this.serial.run(key, async () => {
      try {
        await task()
      } catch (err) {
        this.onError(err, key)
      }
    })
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
  idle(): Promise<void> {
    return this.serial.idle()
  }
}
