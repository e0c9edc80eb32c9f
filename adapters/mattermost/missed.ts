// Reconnect recovery: the server does not replay events to token clients, so after every
// reconnect the posts created since the newest one seen (minus an overlap) are read from each
// channel of interest and handed, oldest first, to the same path live posts take.
import type { Post, PostList } from "@mattermost/types/posts"
import { setTimeout as sleep } from "node:timers/promises"
import { isChatError, RateLimitError } from "../../src/chat/errors.ts"
import { backoffDelay } from "../../src/timing/backoff.ts"
import type { Logger } from "../../src/log/logger.ts"
import type { ChannelInfo, Channels } from "./channels.ts"
import { CoalescedRun } from "../../src/chat/coalesced-run.ts"
import type { Inbox } from "../../src/chat/inbox.ts"
import { LIMITS } from "./limits.ts"
import type { Rest } from "./rest.ts"

export interface RecoveryDeps {
  rest: Rest
  channels: Channels
  inbox: Inbox
  log: Logger
  /** The live path for posts (filters, de-duplication); `recovered` posts bypass the inbox hold. */
  accept(post: Post, channel: ChannelInfo, recovered: boolean): void
}

export class Recovery {
  private readonly deps: RecoveryDeps
  private readonly stopped = new AbortController()
  /** Newest `create_at` seen (server clock). */
  private newest: number
  /** Where an incomplete recovery started; kept until a recovery completes. */
  private floor: number | undefined
  private readonly runs = new CoalescedRun(() => this.once(), this.stopped.signal)

  constructor(deps: RecoveryDeps, startMs: number) {
    this.deps = deps
    this.newest = startMs
  }

  note(createAt: number): void {
    if (createAt > this.newest) this.newest = createAt
  }

  /** Starts a recovery, or one more after the running one (a reconnect during a recovery). */
  trigger(): void {
    this.runs.request()
  }

  async stop(): Promise<void> {
    this.stopped.abort()
    await this.runs.idle()
  }

  private async once(): Promise<void> {
    const from = Math.min(this.floor ?? Infinity, this.newest)
    const since = from - LIMITS.recoveryOverlapMs
    const { inbox, log } = this.deps
    inbox.hold()
    try {
      const { posts, complete } = await this.read(since)
      for (const { post, channel } of posts) this.deps.accept(post, channel, true)
      this.floor = complete ? undefined : from
      log.info({ since, recovered: posts.length, complete }, "Mattermost missed-post recovery done")
    } catch (err) {
      if (!this.stopped.signal.aborted) log.error({ err, since }, "Mattermost missed-post recovery failed; the next reconnect retries")
      this.floor = from
    } finally {
      inbox.release()
    }
  }

  /** Posts created since `since` in every channel of interest, oldest first. */
  private async read(since: number): Promise<{ posts: Array<{ post: Post; channel: ChannelInfo }>; complete: boolean }> {
    const { rest, channels, log } = this.deps
    const wanted = (await this.retrying(() => channels.mine())).filter((c) => channels.allowed(c))
    const found: Array<{ post: Post; channel: ChannelInfo }> = []
    let complete = true
    for (const [i, channel] of wanted.entries()) {
      if (i >= LIMITS.recoveryBurst) await sleep(LIMITS.recoverySpacingMs, undefined, { signal: this.stopped.signal })
      const url = `${rest.client.getChannelRoute(channel.id)}/posts?since=${since}&skipFetchThreads=true`
      try {
        const list = await this.retrying(() => rest.get<PostList>(`read posts of channel ${channel.name || channel.id} since ${since}`, url))
        for (const id of list.order) {
          const post = list.posts[id]
          if (post && post.create_at >= since && !post.delete_at) found.push({ post, channel })
        }
      } catch (err) {
        if (this.stopped.signal.aborted) throw err
        complete = false
        log.warn({ err, channel: channel.id }, "missed posts of a channel could not be read; the next reconnect retries")
      }
    }
    found.sort((a, b) => a.post.create_at - b.post.create_at)
    return { posts: found, complete }
  }

  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn()
      } catch (err) {
        const retryable = isChatError(err, "transient") || isChatError(err, "rate_limited")
        if (!retryable || attempt >= LIMITS.recoveryAttempts || this.stopped.signal.aborted) throw err
        const wait = err instanceof RateLimitError ? err.retryAfterMs : backoffDelay(attempt - 1, { initialMs: LIMITS.recoveryRetryMs, maxMs: 10_000 })
        await sleep(wait, undefined, { signal: this.stopped.signal })
      }
    }
  }
}
