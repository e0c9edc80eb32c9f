// `reaction_added` / `reaction_removed` → ReactionEvent. The event names only the message, so
// its thread comes from what we remember about our own posts (approvals are ours), else from
// one conversations.replies read. The bot's own reactions and reactions on files are skipped.
import { isChatError } from "../../../src/chat/errors.ts"
import type { ReactionEvent } from "../../../src/chat/types.ts"
import type { Api } from "../api.ts"
import { spaceOf, type ChannelInfo } from "../channels.ts"
import { reactionName } from "../outbound.ts"
import { encodeMessage, encodeThread, PLATFORM } from "../refs.ts"
import type { InboundDeps } from "./message.ts"

export interface WireReaction {
  type?: string
  user?: string
  reaction?: string
  item_user?: string
  item?: { type?: string; channel?: string; ts?: string }
  event_ts?: string
}

/** Why a reaction is none of the core's business, or undefined. */
export function skipReaction(e: WireReaction, botUserId: string): string | undefined {
  if (e.item?.type !== "message" || !e.item.channel || !e.item.ts || !e.reaction || !e.user) return "not a reaction on a message"
  if (e.user === botUserId) return "own reaction"
  return undefined
}

/** The thread root of a message: its parent, or "" for a top-level message of ours, or itself. */
export async function threadOf(api: Api, channel: string, ts: string, botUserId: string): Promise<string | undefined> {
  try {
    const res = await api.read<{ messages?: Array<{ ts?: string; thread_ts?: string; user?: string }> }>(
      `read the reacted message ${ts}`,
      "conversations.replies",
      { channel, ts, limit: 1, inclusive: true },
    )
    const root = res.messages?.[0]
    if (!root?.ts) return undefined
    if (root.ts !== ts) return root.ts
    // A top-level message: one of ours lives at the channel's top level; a person's starts a thread.
    return root.user === botUserId && !root.thread_ts ? "" : ts
  } catch (err) {
    if (isChatError(err, "not_found")) return undefined
    throw err
  }
}

export async function toReactionEvent(deps: InboundDeps, e: WireReaction, c: ChannelInfo, team: string, root: string, added: boolean): Promise<ReactionEvent> {
  const ts = e.item?.ts ?? ""
  return {
    kind: "reaction",
    platform: PLATFORM,
    workspace: team,
    channel: c.id,
    ...(c.name ? { channelName: c.name } : {}),
    space: spaceOf(c.kind),
    thread: encodeThread({ team, channel: c.id, root }),
    user: await deps.users.userOf(e.user ?? ""),
    id: `${c.id}:${ts}:${e.user}:${e.reaction}:${added ? "+" : "-"}:${e.event_ts ?? ""}`,
    at: e.event_ts ? Math.round(Number(e.event_ts) * 1000) : Date.now(),
    message: encodeMessage({ channel: c.id, ts }),
    emoji: reactionName(e.reaction ?? ""),
    added,
  }
}
