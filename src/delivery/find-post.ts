// After a crash between asking the platform for a post and recording its id, the message may
// or may not exist. This finds it among the bot's recent posts in the thread by its exact text,
// so it is adopted instead of posted twice. Undefined when it is not there (or cannot be known).
import type { ChatAdapter, MessageRef, ThreadRef } from "../chat/types.ts"
import type { Logger } from "../log/logger.ts"

/** How far before the recorded time a post may have been stamped by the platform. */
const CLOCK_SLACK_MS = 5_000

export async function findOwnPost(
  adapter: ChatAdapter,
  thread: ThreadRef,
  text: string,
  askedAt: number,
  log: Logger,
  exclude: ReadonlySet<MessageRef> = new Set(),
): Promise<MessageRef | undefined> {
  if (!adapter.recentPosts || text.trim() === "") return undefined
  try {
    const posts = await adapter.recentPosts(thread, askedAt - CLOCK_SLACK_MS)
    return posts.find((p) => p.text.trim() === text.trim() && !exclude.has(p.ref))?.ref
  } catch (err) {
    log.warn({ err, thread }, "could not look for a message posted before a crash; it may appear twice")
    return undefined
  }
}
