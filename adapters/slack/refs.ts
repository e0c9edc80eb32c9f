// Addresses the core holds for Slack: `slack:{team}:{channel}:{thread_ts}` for a thread
// (thread_ts "" = the channel's top level, where a slash command outside a thread lands) and
// `slack:{channel}:{ts}` for a message. Team and channel ids are alphanumeric and a ts is
// `seconds.micros`, so splitting on ":" is unambiguous. A file message whose share Slack has
// not reported yet carries the file id (`F…`) in place of its ts (see files.ts).
import { ChatError } from "../../src/chat/errors.ts"
import type { MessageRef, ThreadRef } from "../../src/chat/types.ts"

export const PLATFORM = "slack"

export interface ThreadAddress {
  team: string
  channel: string
  /** The thread's parent ts; "" for the channel's top level. */
  root: string
}

export interface MessageAddress {
  channel: string
  ts: string
}

const ID = /^[A-Z0-9]+$/i
const TS = /^\d+\.\d+$/
const FILE = /^F[A-Z0-9]+$/

function invalid(ref: string, kind: string): ChatError {
  return new ChatError(PLATFORM, "invalid", `"${ref}" is not a Slack ${kind} reference`)
}

export function encodeThread(t: ThreadAddress): ThreadRef {
  return `${PLATFORM}:${t.team}:${t.channel}:${t.root}`
}

export function decodeThread(ref: ThreadRef): ThreadAddress {
  const p = ref.split(":")
  const [platform, team = "", channel = "", root = ""] = p
  if (p.length !== 4 || platform !== PLATFORM || !ID.test(team) || !ID.test(channel) || (root !== "" && !TS.test(root))) throw invalid(ref, "thread")
  return { team, channel, root }
}

export function encodeMessage(m: MessageAddress): MessageRef {
  return `${PLATFORM}:${m.channel}:${m.ts}`
}

export function decodeMessage(ref: MessageRef): MessageAddress {
  const p = ref.split(":")
  const [platform, channel = "", ts = ""] = p
  if (p.length !== 3 || platform !== PLATFORM || !ID.test(channel) || !(TS.test(ts) || FILE.test(ts))) throw invalid(ref, "message")
  return { channel, ts }
}

/** The channel of either kind of reference. */
export function channelOf(ref: ThreadRef | MessageRef): string {
  return ref.split(":").length === 4 ? decodeThread(ref).channel : decodeMessage(ref).channel
}

/** Slack's `ts` as epoch milliseconds. */
export function tsToMs(ts: string): number {
  return Math.round(Number(ts) * 1000)
}
