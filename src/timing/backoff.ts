// Exponential backoff with "equal jitter": the delay doubles per attempt up to a cap, and is
// drawn from the upper half of that window, so it is never shorter than half the nominal delay
// and many clients spread out. The one backoff every retry loop in the relay uses (stream
// reconnects, delivery retries, platform recovery reads, runtime replies). p-retry runs its
// own loop around a function; ours are scheduled by limiters and event loops, so only the
// delay is shared.

export interface BackoffOptions {
  initialMs: number
  maxMs: number
}

/** The delay before retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.max(0, attempt))
  return Math.round(base / 2 + (random() * base) / 2)
}
