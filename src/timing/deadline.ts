// Waiting for something, but not forever: the one helper every "give it N ms, then go on"
// in the relay uses (shutdown steps, callback answers, first connects). The timer is always
// cleared, and the caller learns whether the work finished or the deadline passed; the work
// itself is not cancelled (pass it an AbortSignal for that: AbortSignal.timeout).

export type Outcome<T> = { done: true; value: T } | { done: false }

export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<{ done: false }>((resolve) => (timer = setTimeout(() => resolve({ done: false }), ms)))
  try {
    return await Promise.race([work.then((value) => ({ done: true as const, value })), late])
  } finally {
    clearTimeout(timer)
  }
}
