// A native answer stream: chat.startStream in the thread (with the recipient Slack requires in
// channels), chat.appendStream per append, chat.stopStream at the end (Slack's AI streaming,
// test/harness/slack/README.md "Streams"). What people see is every append concatenated, with
// broadcast mentions neutralised: a trailing fragment that could still grow into one (`<!her`,
// `@chan`), text after an inline code span that is not closed yet, and a line that may become a
// fence marker wait for the next append or the stop (code is never neutralised, so what counts
// as code must be settled first). A mention split across appends is caught, and what was sent
// never changes behind us. A failed append changes nothing: the caller sends the same text again
// (one Slack refuses outright also ends the stream: a streaming message refuses chat.update).
// `stop(final)` replaces the message with `final` (one chat.update) unless it already shows it.
// A workspace or app without streaming refuses the start: ChatError `unsupported`.
import { ChatError, isChatError } from "../../src/chat/errors.ts"
import type { MessageRef, NativeStream, OutMessage, StreamOpening } from "../../src/chat/types.ts"
import type { Api } from "./api.ts"
import { LIMITS } from "./limits.ts"
import { neutralizeMentions, payloadOf } from "./outbound.ts"
import { encodeMessage, PLATFORM, type ThreadAddress } from "./refs.ts"

/**
 * Where the last line stops being final: at an inline code span that is not closed yet (or whose
 * closing run could still grow), since text after an unclosed backtick reads as prose now and as
 * code later. Spans already closed stay closed. -1 when the whole line is settled.
 */
function openSpan(line: string): number {
  let at = 0
  while (at < line.length) {
    const open = line.indexOf("`", at)
    if (open < 0) return -1
    let run = open
    while (line[run] === "`") run++
    const ticks = run - open
    let close = -1
    for (let i = line.indexOf("`", run); i >= 0; i = line.indexOf("`", i)) {
      let j = i
      while (line[j] === "`") j++
      if (j - i === ticks && j < line.length) {
        close = i
        break
      }
      i = j
    }
    if (close < 0) return open
    at = close + ticks
  }
  return -1
}

/** How much of `text` may be sent now (see the header); never less than `sent`. */
export function safeCut(text: string, sent: number): number {
  const lineStart = text.lastIndexOf("\n") + 1
  const line = text.slice(lineStart)
  let cut = text.length
  // A line that may still become a fence marker waits for its end.
  if (/^ {0,3}[`~]/.test(line)) cut = lineStart
  else {
    const open = openSpan(line)
    if (open >= 0) cut = lineStart + open
    else {
      const tail = /(?:<[^>]*|[@＠][\w-]*)$/.exec(line)
      if (tail && tail[0].length <= LIMITS.streamHoldChars) cut = text.length - tail[0].length
    }
  }
  return Math.max(cut, sent)
}

class SlackStream implements NativeStream {
  readonly ref: MessageRef
  private readonly api: Api
  private readonly channel: string
  private readonly ts: string
  /** Every accepted append, as given. */
  private text: string
  /** How much of `text` Slack has. */
  private sent: number
  private stopped = false
  private replaced = false
  private chain: Promise<unknown> = Promise.resolve()

  constructor(api: Api, channel: string, ts: string, text: string, sent: number) {
    this.api = api
    this.channel = channel
    this.ts = ts
    this.ref = encodeMessage({ channel, ts })
    this.text = text
    this.sent = sent
  }

  append(text: string): Promise<void> {
    return this.serial(async () => {
      if (this.stopped) throw new ChatError(PLATFORM, "too_old", "append to a stream that has ended")
      const next = this.text + text
      const cut = safeCut(next, this.sent)
      try {
        await this.push(neutralizeMentions(next.slice(0, cut)), cut)
      } catch (err) {
        if (!isChatError(err, "rate_limited") && !isChatError(err, "transient")) await this.end()
        throw err
      }
      this.text = next
    })
  }

  /**
   * Sends `shown` up to `upTo` in appends of at most `streamMaxAppend` (text held back earlier
   * can make one call's share larger than what was appended). `sent` advances per call, so a
   * retry after a partial failure sends only the rest.
   */
  private async push(shown: string, upTo: number): Promise<void> {
    while (this.sent < upTo) {
      let end = Math.min(upTo, this.sent + LIMITS.streamMaxAppend)
      // Never split a surrogate pair between two appends.
      if (end < upTo && /[\uD800-\uDBFF]/.test(shown[end - 1] ?? "")) end--
      await this.api.call(`append to stream ${this.ts}`, "chat.appendStream", { channel: this.channel, ts: this.ts, markdown_text: shown.slice(this.sent, end) })
      this.sent = end
    }
  }

  stop(final?: OutMessage): Promise<void> {
    return this.serial(async () => {
      const shown = neutralizeMentions(this.text)
      // A final message Slack would refuse still ends the stream first; then its error is thrown.
      let payload: ReturnType<typeof payloadOf> | undefined
      let refused: unknown
      try {
        payload = final ? payloadOf(final) : undefined
      } catch (err) {
        refused = err
      }
      const first = payload?.blocks[0]
      const same = payload !== undefined && first?.type === "markdown" && first.text === shown
      if (!this.stopped) {
        await this.push(shown, Math.max(this.sent, shown.length - LIMITS.streamMaxAppend))
        const rest = shown.slice(this.sent)
        const actions = same && payload ? payload.blocks.filter((b) => b.type === "actions") : []
        try {
          await this.api.call(`stop stream ${this.ts}`, "chat.stopStream", {
            channel: this.channel,
            ts: this.ts,
            ...(rest ? { markdown_text: rest } : {}),
            ...(actions.length ? { blocks: actions } : {}),
          })
          this.sent = this.text.length
          this.replaced = same || !final
        } catch (err) {
          // Slack already ended the stream (it does after a few minutes): the update below shows it all.
          if (!isChatError(err, "too_old")) throw err
          this.replaced = this.sent >= this.text.length && !final
        }
        this.stopped = true
      }
      if (refused) throw refused
      if (this.replaced) return
      const p = payload ?? payloadOf({ text: this.text })
      await this.api.call(`replace streamed message ${this.ts}`, "chat.update", { channel: this.channel, ts: this.ts, text: p.text, blocks: p.blocks })
      this.replaced = true
    })
  }

  /**
   * An append Slack will not take: end the stream as it stands (best effort), because a message
   * still streaming refuses chat.update and delivery's edits take over from here.
   */
  private async end(): Promise<void> {
    this.stopped = true
    // What the caller counts as shown includes text held back so far: it goes out with the stop.
    const shown = neutralizeMentions(this.text)
    try {
      await this.push(shown, Math.max(this.sent, shown.length - LIMITS.streamMaxAppend))
      const rest = shown.slice(this.sent)
      await this.api.call(`end broken stream ${this.ts}`, "chat.stopStream", { channel: this.channel, ts: this.ts, ...(rest ? { markdown_text: rest } : {}) })
      this.sent = this.text.length
    } catch {
      // Slack may have ended it already; the edits that take over send the whole text anyway.
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => {})
    return run
  }
}

/** Opens a stream in the thread; `unsupported` when Slack refuses streaming here. */
export async function openStream(api: Api, t: ThreadAddress, opening: StreamOpening): Promise<NativeStream> {
  if (!t.root) throw new ChatError(PLATFORM, "invalid", "a native stream needs a thread (this is a channel's top level)")
  const cut = safeCut(opening.text, 0)
  const first = neutralizeMentions(opening.text.slice(0, cut))
  let res: { channel?: string; ts?: string }
  try {
    res = await api.call(`start a stream in channel ${t.channel} (thread ${t.root})`, "chat.startStream", {
      channel: t.channel,
      thread_ts: t.root,
      ...(first ? { markdown_text: first } : {}),
      ...(opening.recipient ? { recipient_user_id: opening.recipient.user, recipient_team_id: opening.recipient.workspace } : {}),
    })
  } catch (err) {
    if (isChatError(err, "rate_limited") || isChatError(err, "transient")) throw err
    throw new ChatError(PLATFORM, "unsupported", `streaming refused: ${(err as Error).message}`, { cause: err })
  }
  if (!res.ts) throw new ChatError(PLATFORM, "unsupported", "chat.startStream returned no message ts")
  return new SlackStream(api, res.channel ?? t.channel, res.ts, opening.text, cut)
}
