// A slash command (already acknowledged by the listener) → CommandEvent: `/switchboard status x`
// is command `status` with args `x`; an empty command is `help`. Unknown names go to the core
// too, which answers "unknown command". Slack sends no thread for a slash command unless it
// says so (`thread_ts`): without one the command belongs to the channel's top level.
import type { CommandEvent, Responder } from "../../../src/chat/types.ts"
import { spaceOf, type ChannelInfo } from "../channels.ts"
import { encodeThread, PLATFORM } from "../refs.ts"
import type { InboundDeps } from "./message.ts"

export interface WireCommand {
  command?: string
  text?: string
  user_id?: string
  channel_id?: string
  channel_name?: string
  team_id?: string
  thread_ts?: string
  response_url?: string
  trigger_id?: string
}

/** `status  x y` → name `status`, args `x y`; "" → `help`. */
export function parseCommandText(text: string): { name: string; args: string } {
  const trimmed = text.trim()
  if (!trimmed) return { name: "help", args: "" }
  const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed)
  return { name: (m?.[1] ?? "").replace(/^!/, "").toLowerCase(), args: (m?.[2] ?? "").trim() }
}

/** The channel kind the payload itself tells (DMs need no read). */
export function kindHint(cmd: WireCommand): string | undefined {
  if (cmd.channel_name === "directmessage" || cmd.channel_id?.startsWith("D")) return "im"
  if (cmd.channel_name?.startsWith("mpdm-")) return "mpim"
  return undefined
}

export async function toCommandEvent(deps: InboundDeps, cmd: WireCommand, c: ChannelInfo, team: string, respond: Responder | undefined, at: number): Promise<CommandEvent> {
  const { name, args } = parseCommandText(cmd.text ?? "")
  return {
    kind: "command",
    platform: PLATFORM,
    workspace: team,
    channel: c.id,
    ...(c.name ? { channelName: c.name } : {}),
    space: spaceOf(c.kind),
    thread: encodeThread({ team, channel: c.id, root: cmd.thread_ts ?? "" }),
    user: await deps.users.userOf(cmd.user_id ?? ""),
    id: cmd.trigger_id ?? `${c.id}:${at}`,
    at,
    name,
    args,
    // Outside a thread, a conversation the command starts gets a thread of its own (as a mention's does).
    ...(!cmd.thread_ts ? { threadStart: true } : {}),
    ...(respond ? { respond } : {}),
  }
}
