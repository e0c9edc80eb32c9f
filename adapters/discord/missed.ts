// Catch-up after a gateway gap that could not be resumed. A RESUME replays what was missed by
// itself; after a re-IDENTIFY (op 9 false, trap 24, a session Discord dropped) nothing is replayed,
// so each served channel that may have news is read by history after the newest message seen
// before the gap, oldest first, and handed to the live path (which de-duplicates by id). The
// inbox is held from the moment the gateway drops until the gap is closed, so a channel's events
// still reach the core in order. New DMs nobody had written before the gap cannot be found this
// way (Discord lists no DM channels to bots); known ones are read.
import { setTimeout as sleep } from "node:timers/promises"
import type { Channel, Client, Message } from "discord.js"
import { isChatError } from "../../src/chat/errors.ts"
import { CoalescedRun } from "../../src/chat/coalesced-run.ts"
import type { Inbox } from "../../src/chat/inbox.ts"
import type { Logger } from "../../src/log/logger.ts"
import { backoffDelay } from "../../src/timing/backoff.ts"
import { toChatError } from "./errors.ts"
import { LIMITS } from "./limits.ts"
import { placeOf, type Place } from "./places.ts"
import { newer, snowflakeAt } from "./refs.ts"

export interface CatchupDeps {
  client: Client<true>
  inbox: Inbox
  log: Logger
  serves(place: Place): boolean
  /** The live path for messages; recovered ones go ahead of what the hold keeps waiting. */
  accept(message: Message, recovered: boolean): void
}

type History = Extract<Channel, { messages: { fetch: unknown } }> & { lastMessageId: string | null }

export class Catchup {
  private readonly deps: CatchupDeps
  private readonly stopped = new AbortController()
  /** Newest message id seen per channel (least recently active forgotten first). */
  private readonly lastSeen = new Map<string, string>()
  /** The newest ids when the current gap began; kept until a catch-up completes. */
  private floors: Map<string, string> | undefined
  private gapAt = 0
  private readonly runs = new CoalescedRun(() => this.once(), this.stopped.signal)

  constructor(deps: CatchupDeps) {
    this.deps = deps
  }

  note(channelId: string, messageId: string): void {
    const prev = this.lastSeen.get(channelId)
    if (!newer(messageId, prev)) return
    this.lastSeen.delete(channelId)
    this.lastSeen.set(channelId, messageId)
    if (this.lastSeen.size > LIMITS.trackedChannels) this.lastSeen.delete(this.lastSeen.keys().next().value!)
  }

  /** The gateway dropped: remember where each channel was and hold new events until the gap closes. */
  gapStarted(now = Date.now()): void {
    if (!this.floors) {
      this.floors = new Map(this.lastSeen)
      this.gapAt = now
    }
    this.deps.inbox.hold()
  }

  /** Resumed: Discord replayed the gap, nothing to read. */
  resumed(): void {
    if (this.runs.busy) return
    this.floors = undefined
    this.deps.inbox.release()
  }

  /** A new session after a gap: read what was missed (or once more after the running read). */
  reidentified(): void {
    if (this.stopped.signal.aborted) return
    this.floors ??= new Map(this.lastSeen)
    this.runs.request()
  }

  async stop(): Promise<void> {
    this.stopped.abort()
    await this.runs.idle()
  }

  private async once(): Promise<void> {
    const { inbox, log } = this.deps
    const floors = this.floors ?? new Map<string, string>()
    inbox.hold()
    let recovered = 0
    let complete = true
    try {
      for (const { channel, after } of this.candidates(floors)) {
        try {
          const messages = await this.read(channel, after)
          recovered += messages.length
          for (const m of messages) this.deps.accept(m, true)
        } catch (err) {
          if (this.stopped.signal.aborted) return
          complete = false
          log.warn({ err, channel: channel.id }, "missed Discord messages of a channel could not be read; the next reconnect retries")
        }
      }
      if (complete) this.floors = undefined
      log.info({ recovered, complete }, "Discord missed-message catch-up done")
    } finally {
      inbox.release()
    }
  }

  /** Served channels that may have news since the gap began, with the id to read after. */
  private candidates(floors: Map<string, string>): Array<{ channel: History; after: string }> {
    const since = snowflakeAt(this.gapAt - LIMITS.catchupOverlapMs)
    const out: Array<{ channel: History; after: string }> = []
    for (const channel of this.deps.client.channels.cache.values()) {
      const place = placeOf(channel)
      if (!place || !this.deps.serves(place) || !("messages" in channel)) continue
      const history = channel as History
      const floor = floors.get(channel.id)
      if (place.kind === "dm") {
        if (floor) out.push({ channel: history, after: floor })
        continue
      }
      const after = floor ?? since
      // GUILD_CREATE of the new session says each channel's newest message: skip the quiet ones.
      if (history.lastMessageId && newer(history.lastMessageId, after)) out.push({ channel: history, after })
    }
    return out
  }

  /** Messages after `after`, oldest first, page by page (Discord answers newest first). */
  private async read(channel: History, after: string): Promise<Message[]> {
    const found: Message[] = []
    let cursor = after
    for (let page = 0; page < LIMITS.historyPagesMax; page++) {
      const batch = await this.retrying(() => channel.messages.fetch({ after: cursor, limit: LIMITS.historyPage, cache: false }))
      const sorted = [...batch.values()].sort((a, b) => (newer(a.id, b.id) ? 1 : -1))
      found.push(...sorted)
      if (sorted.length < LIMITS.historyPage) return found
      cursor = sorted.at(-1)!.id
    }
    this.deps.log.warn({ channel: channel.id, read: found.length }, "more missed Discord messages than one catch-up reads; older ones are left out")
    return found
  }

  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn()
      } catch (raw) {
        const err = toChatError(raw, "read channel history")
        const retryable = isChatError(err, "transient") || isChatError(err, "rate_limited")
        if (!retryable || attempt >= LIMITS.catchupAttempts || this.stopped.signal.aborted) throw err
        await sleep(backoffDelay(attempt - 1, { initialMs: LIMITS.catchupRetryMs, maxMs: 10_000 }), undefined, { signal: this.stopped.signal })
      }
    }
  }
}
