// Runs an async job so that requests while it runs coalesce into one more run after it (a
// reconnect during a catch-up read means "read once more", never "read twice at once"). Used
// by the adapters' catch-up after reconnects.

export class CoalescedRun {
  private readonly job: () => Promise<void>
  private readonly stopped: AbortSignal
  private running: Promise<void> | undefined
  private again = false

  constructor(job: () => Promise<void>, stopped: AbortSignal) {
    this.job = job
    this.stopped = stopped
  }

  /** Whether a run is under way. */
  get busy(): boolean {
    return this.running !== undefined
  }

  /** Starts a run, or asks for one more after the running one. */
  request(): void {
    if (this.stopped.aborted) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.loop().finally(() => (this.running = undefined))
  }

  /** Resolves when no run is under way. */
  async idle(): Promise<void> {
    await this.running
  }

  private async loop(): Promise<void> {
    do {
      this.again = false
      await this.job()
    } while (this.again && !this.stopped.aborted)
  }
}
