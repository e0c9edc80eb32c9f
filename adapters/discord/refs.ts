// Addresses the core holds for Discord. A thread is `discord:{guild}:{channel}:{thread}`: the
// channel is the text or forum channel (or the DM), the thread the thread channel's id — "" for
// the channel itself (a DM). A top-level message M in a text channel announces the thread that
// `openThread` creates from it, whose id Discord makes equal to M, so the ref is final from the
// first event on. A message is `discord:{channel}:{message}` with the channel it lives in (the
// thread's own id inside threads). Snowflakes never contain ":", so splitting is unambiguous.
import { ChatError } from "../../src/chat/errors.ts"
import type { MessageRef, ThreadRef } from "../../src/chat/types.ts"

export const PLATFORM = "discord"

export interface ThreadAddress {
  /** "" for DMs. */
  guild: string
  /** The parent text/forum channel, or the DM channel. */
  channel: string
  /** The thread's channel id; "" = the channel itself. */
  thread: string
}

export interface MessageAddress {
  /** Where the message lives: a thread's own id inside threads. */
  channel: string
  message: string
}

const ID = /^\d*$/

function parts(ref: string, count: number, kind: string): string[] {
  const p = ref.split(":")
  if (p[0] !== PLATFORM || p.length !== count || !p.slice(1).every((x) => ID.test(x)) || !p[count === 4 ? 2 : 1]) {
    throw new ChatError(PLATFORM, "invalid", `"${ref}" is not a Discord ${kind} reference`)
  }
  return p
}

export function encodeThread(t: ThreadAddress): ThreadRef {
  return `${PLATFORM}:${t.guild}:${t.channel}:${t.thread}`
}

export function decodeThread(ref: ThreadRef): ThreadAddress {
  const [, guild = "", channel = "", thread = ""] = parts(ref, 4, "thread")
  return { guild, channel, thread }
}

export function encodeMessage(m: MessageAddress): MessageRef {
  return `${PLATFORM}:${m.channel}:${m.message}`
}

export function decodeMessage(ref: MessageRef): MessageAddress {
  const [, channel = "", message = ""] = parts(ref, 3, "message")
  if (!message) throw new ChatError(PLATFORM, "invalid", `"${ref}" has no message id`)
  return { channel, message }
}

/** The channel that posts go to and whose bucket they spend: the thread itself, else the channel. */
export function targetOf(t: ThreadAddress): string {
  return t.thread || t.channel
}

/** Limiter scope of either kind of ref: a thread's own channel id, or the message's channel. */
export function scopeChannel(ref: ThreadRef | MessageRef): string {
  return ref.split(":").length === 4 ? targetOf(decodeThread(ref)) : decodeMessage(ref).channel
}

const DISCORD_EPOCH = 1_420_070_400_000n

/** The smallest snowflake of a moment: `after` it means "created at or after `ms`". */
export function snowflakeAt(ms: number): string {
  const since = BigInt(Math.floor(ms)) - DISCORD_EPOCH
  return (since > 0n ? since << 22n : 0n).toString()
}

/** When a snowflake was made (epoch ms). */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH)
}

/** Snowflakes are decimal strings of varying length: compare as numbers. */
export function newer(a: string, b: string | undefined): boolean {
  return b === undefined || BigInt(a) > BigInt(b)
}
