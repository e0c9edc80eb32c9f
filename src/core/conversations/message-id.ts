// Message ids the runtime accepts for a prompt we send: `msg_` + 12 hex digits of
// (milliseconds × 0x1000 + counter) + 14 base62 characters. Ids sort by time, and the runtime
// answers the newest user message, so ours must sort after every message already in the
// session even if our clock is behind the runtime's: `after` raises the floor.
import { randomInt } from "node:crypto"

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const MASK = (1n << 48n) - 1n
let last = 0n

/** The time-and-counter value encoded in an id, or 0 when it is not in this format. */
export function idValue(id: string): bigint {
  const hex = /^[a-z]+_([0-9a-f]{12})/.exec(id)?.[1]
  return hex ? BigInt(`0x${hex}`) : 0n
}

export function newMessageID(opts: { now?: number; after?: string } = {}): string {
  let value = BigInt(opts.now ?? Date.now()) * 0x1000n
  const floor = opts.after ? idValue(opts.after) : 0n
  if (value <= floor) value = floor + 1n
  if (value <= last) value = last + 1n
  last = value
  const hex = (value & MASK).toString(16).padStart(12, "0")
  let rand = ""
  for (let i = 0; i < 14; i++) rand += BASE62[randomInt(62)]
  return `msg_${hex}${rand}`
}
