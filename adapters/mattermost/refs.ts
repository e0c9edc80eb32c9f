// Addresses the core holds for Mattermost: `mattermost:{team}:{channel}:{root}` for a thread (root
// "" = a DM's top level; team "" for DMs and group messages) and `mattermost:{channel}:{post}` for
// a message. Mattermost ids never contain ":", so splitting is unambiguous.
import { ChatError } from "../../src/chat/errors.ts"
import type { MessageRef, ThreadRef } from "../../src/chat/types.ts"

export const PLATFORM = "mattermost"

export interface ThreadAddress {
  team: string
  channel: string
  /** Root post id; "" for the top level of a direct-message channel. */
  root: string
}

export interface MessageAddress {
  channel: string
  post: string
}

const ID = /^[A-Za-z0-9]*$/

function parts(ref: string, count: number, kind: string): string[] {
  const p = ref.split(":")
  if (p[0] !== PLATFORM || p.length !== count || !p.slice(1).every((x) => ID.test(x)) || !p[count === 4 ? 2 : 1]) {
    throw new ChatError(PLATFORM, "invalid", `"${ref}" is not a Mattermost ${kind} reference`)
  }
  return p
}

export function encodeThread(t: ThreadAddress): ThreadRef {
  return `${PLATFORM}:${t.team}:${t.channel}:${t.root}`
}

export function decodeThread(ref: ThreadRef): ThreadAddress {
  const [, team = "", channel = "", root = ""] = parts(ref, 4, "thread")
  return { team, channel, root }
}

export function encodeMessage(m: MessageAddress): MessageRef {
  return `${PLATFORM}:${m.channel}:${m.post}`
}

export function decodeMessage(ref: MessageRef): MessageAddress {
  const [, channel = "", post = ""] = parts(ref, 3, "message")
  if (!post) throw new ChatError(PLATFORM, "invalid", `"${ref}" has no post id`)
  return { channel, post }
}

/** The channel of either kind of reference. */
export function channelOf(ref: ThreadRef | MessageRef): string {
  return ref.split(":").length === 4 ? decodeThread(ref).channel : decodeMessage(ref).channel
}

/**
 * The thread a post belongs to: a reply's root; a top-level post in a DM is the DM's top level
 * (root ""); any other top-level post starts a thread rooted at itself.
 */
export function threadOfPost(
  post: { id: string; root_id: string },
  channel: { id: string; teamId: string; type: string },
): { ref: ThreadRef; start: boolean } {
  if (post.root_id) return { ref: encodeThread({ team: channel.teamId, channel: channel.id, root: post.root_id }), start: false }
  if (channel.type === "D") return { ref: encodeThread({ team: channel.teamId, channel: channel.id, root: "" }), start: false }
  return { ref: encodeThread({ team: channel.teamId, channel: channel.id, root: post.id }), start: true }
}
