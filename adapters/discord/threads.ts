// A thread per session: `openThread` creates a public thread on the message that mentioned the
// bot (Discord gives it the message's id, so the ref announced with the event stays valid) and
// names it from the request; a thread or forum post that exists already is returned as it is,
// and a second open of the same message is not an error. A thread start the core posts into
// before opening it is opened first, so an answer never lands at a channel's top level.
import { Routes, type APIChannel, type Client } from "discord.js"
import { TtlCache } from "../../src/chat/ttl-cache.ts"
import type { MessageRef, ThreadRef } from "../../src/chat/types.ts"
import { call, CODES, discordCode } from "./errors.ts"
import { LIMITS } from "./limits.ts"
import { channelById } from "./places.ts"
import { decodeMessage, decodeThread, encodeMessage, encodeThread, type MessageAddress, type ThreadAddress } from "./refs.ts"

/** A thread name from a request: mentions and markup dropped, one line, 1–100 characters. */
export function threadName(text: string): string {
  const plain = text
    .replace(/<(@[!&]?|#)\d+>/g, "")
    .replace(/[`*_~|>]/g, "")
    .replace(/\s+/g, " ")
    .trim()
  if (!plain) return LIMITS.defaultThreadName
  return plain.length > LIMITS.maxThreadName ? `${plain.slice(0, LIMITS.maxThreadName - 1)}…` : plain
}

export class Threads {
  private readonly client: Client
  /** Thread starts announced to the core and not opened yet: ref → the name to give. */
  private readonly pending = new TtlCache<{ name: string; open: boolean }>({ max: LIMITS.pendingThreads, ttlMs: LIMITS.pendingThreadTtlMs })

  constructor(client: Client) {
    this.client = client
  }

  /** A thread start handed to the core (`threadStart: true`), to be opened with this name. */
  announce(thread: ThreadRef, request: string): void {
    if (!this.pending.peek(thread)) this.pending.set(thread, { name: threadName(request), open: false })
  }

  /** Opens the thread if it was announced and not opened yet (posts, uploads and typing call this). */
  async ensure(thread: ThreadRef): Promise<void> {
    const p = this.pending.peek(thread)
    if (!p || p.open) return
    const t = decodeThread(thread)
    await this.open(encodeMessage({ channel: t.channel, message: t.thread }), thread, p.name)
  }

  async open(message: MessageRef, thread: ThreadRef, name: string): Promise<ThreadRef> {
    let t = decodeThread(thread)
    if (!t.guild) return thread
    if (!t.thread) {
      // A channel's top level (a slash command there): the thread opens on the core's starter message.
      const m = tryDecodeMessage(message)
      if (!m || m.channel !== t.channel) return thread
      t = { ...t, thread: m.message }
    }
    const opened = (id: string) => {
      const ref = encodeThread({ ...t, thread: id })
      this.pending.set(ref, { name, open: true })
      return ref
    }
    if (this.client.channels.cache.get(t.thread)?.isThread()) return opened(t.thread)
    const source = sourceOf(message, t)
    try {
      const body = { name: threadName(name), auto_archive_duration: LIMITS.threadArchiveMinutes }
      const created = await call(`open a thread on message ${source.message}`, () =>
        this.client.rest.post(Routes.threads(source.channel, source.message), { body }) as Promise<APIChannel>,
      )
      return opened(created.id)
    } catch (err) {
      const code = discordCode(err)
      if (code === CODES.threadExists) return opened(source.message)
      // A forum post (or a thread someone opened) the cache has not seen: it is the thread already.
      if (code === CODES.wrongChannelType || code === CODES.unknownMessage) {
        if ((await channelById(this.client, t.thread))?.isThread()) return opened(t.thread)
      }
      throw err
    }
  }
}

function tryDecodeMessage(message: MessageRef): MessageAddress | undefined {
  try {
    return decodeMessage(message)
  } catch {
    return undefined
  }
}

/** The message to open the thread on: the one the core names, if it is in the thread's channel. */
function sourceOf(message: MessageRef, t: ThreadAddress): MessageAddress {
  try {
    const m = decodeMessage(message)
    if (m.channel === t.channel) return m
  } catch {
    // not one of ours: fall back to the thread's own id (a thread start's id is its message's)
  }
  return { channel: t.channel, message: t.thread }
}
