// Getting a message to the runtime: bind a thread to a new session, send a prompt as a turn,
// heal a binding whose session vanished (once, with a note in the thread), and queue
// follow-ups while the session is busy.
import type { ChatUser, MessageEvent, ThreadRef } from "../../chat/types.ts"
import type { PromptPart } from "../../runtime/client.ts"
import { isNotFound, RuntimeError } from "../../runtime/errors.ts"
import type { Binding } from "../../storage/bindings.ts"
import type { Conversation } from "./conversation.ts"
import type { ConversationContext } from "./context.ts"
import type { Surface } from "./host.ts"
import { newMessageID } from "./message-id.ts"
import { threadName } from "./thread-name.ts"

export interface Sender {
  id: string
  name?: string
}

export function senderOf(user: ChatUser): Sender {
  return user.name ? { id: user.id, name: user.name } : { id: user.id }
}

/** `providerID/modelID` → the runtime's model reference. */
function modelRef(chosen: string | undefined) {
  const m = chosen ? /^([^/]+)\/(.+)$/.exec(chosen) : null
  return m ? { providerID: m[1]!, modelID: m[2]! } : undefined
}

/**
 * Creates a session for a thread and binds them (a new binding, or a new session for an old
 * one). The session carries the relay's permission rules, so it asks whatever the runtime's
 * own config says (docs/consent.md).
 */
export async function bindThread(ctx: ConversationContext, surface: Surface, event: Pick<MessageEvent, "thread" | "workspace" | "channel" | "user" | "space">, existing?: Binding): Promise<Conversation> {
  const directory = existing?.directory ?? ctx.directoryFor(surface.platform, event.channel)
  const { rules } = await ctx.consent.rulesFor(directory)
  const session = await ctx.client.sessions.create(directory, { permission: rules })
  const now = ctx.now()
  const binding: Binding = existing
    ? { ...existing, sessionID: session.id, lastActiveAt: now }
    : {
        thread: event.thread,
        platform: surface.platform,
        workspace: event.workspace,
        channel: event.channel,
        space: event.space,
        sessionID: session.id,
        runtime: "default",
        directory,
        ownerID: event.user.id,
        ownerName: event.user.name,
        createdAt: now,
        lastActiveAt: now,
      }
  ctx.repos.bindings.save(binding)
  const conv = ctx.conversations.get(binding.thread)
  if (conv) {
    conv.binding = binding
    conv.stale = false
    conv.attach()
    return conv
  }
  return ctx.adopt(binding, surface)
}

/**
 * Where a new conversation lives: the event's own thread, or, on platforms that open a thread
 * for it (ChatAdapter.openThread: Discord), a thread opened on the message that started it.
 */
export async function placeOf(surface: Surface, event: Pick<MessageEvent, "thread" | "message" | "threadStart" | "text">): Promise<ThreadRef> {
  const open = surface.adapter.openThread
  if (!open || !event.threadStart || !event.message) return event.thread
  return open.call(surface.adapter, event.message, event.thread, threadName(event.text))
}

/** Sends a prompt as a new turn; heals a vanished session once. */
export async function sendPrompt(ctx: ConversationContext, conv: Conversation, parts: PromptPart[], sender: Sender, healed = false): Promise<void> {
  if (conv.stale && !healed) return heal(ctx, conv, parts, sender)
  const { store, client, repos } = ctx
  const after = store.session(conv.sessionID)?.messages.at(-1)?.info.id
  const messageID = newMessageID({ now: ctx.now(), after })
  const record = repos.turns.start({
    thread: conv.thread,
    sessionID: conv.sessionID,
    userMessageID: messageID,
    ...(sender.name ? { promptedBy: sender.name } : { promptedBy: sender.id }),
    at: ctx.now(),
  })
  const run = ctx.newRun(conv, record)
  conv.run = run
  repos.bindings.touch(conv.thread, ctx.now())
  run.begin()
  try {
    const settings = repos.channels.get(conv.binding.platform, conv.channel)
    const model = modelRef(settings?.model ?? ctx.settings.model)
    const agent = settings?.agent ?? ctx.settings.agent
    await client.sessions.promptAsync(conv.binding.directory, conv.sessionID, {
      parts,
      messageID,
      ...(model ? { model } : {}),
      ...(agent ? { agent } : {}),
    })
  } catch (err) {
    if (isNotFound(err) && !healed) {
      run.suspend()
      repos.turns.finish(record.id, "failed", ctx.now())
      conv.run = undefined
      return heal(ctx, conv, parts, sender)
    }
    if (err instanceof RuntimeError && err.code === "unavailable" && err.status === undefined) {
      // The runtime is away (restarting, network): the message waits at the head of the queue
      // and goes out when the event stream is back; nothing typed is lost.
      run.suspend()
      repos.turns.discard(record.id)
      conv.run = undefined
      repos.queue.pushFront({ thread: conv.thread, userID: sender.id, ...(sender.name ? { userName: sender.name } : {}), parts, at: ctx.now() })
      ctx.log.warn({ err, thread: conv.thread }, "the runtime is unreachable; the prompt waits in the queue")
      ctx.notify(conv.surface, conv.thread, "⏳ OpenCode is not reachable right now; your message waits and goes out as soon as it is back.")
      return
    }
    if (err instanceof RuntimeError && err.code === "timeout") {
      // It may have arrived: ask before telling the person anything.
      const arrived = await ctx.client.sessions
        .messages(conv.binding.directory, conv.sessionID, { limit: 10 })
        .then((list) => list.some((m) => m.info.id === messageID))
        .catch(() => undefined)
      if (arrived) return run.check()
      ctx.log.warn({ err, thread: conv.thread, arrived }, "a prompt timed out")
      await run.fail(
        arrived === false
          ? "OpenCode did not answer in time and does not have your message. Please send it again."
          : "OpenCode did not answer in time, and whether it got your message is unknown. If an answer comes, it appears here; otherwise send it again.",
      )
      return
    }
    ctx.log.error({ err, thread: conv.thread }, "sending a prompt failed")
    await run.fail(`Could not send your message to OpenCode: ${(err as Error).message}`)
    return
  }
  run.check()
}

async function heal(ctx: ConversationContext, conv: Conversation, parts: PromptPart[], sender: Sender): Promise<void> {
  const old = conv.sessionID
  await bindThread(ctx, conv.surface, { thread: conv.thread, workspace: conv.workspace, channel: conv.channel, space: conv.space, user: { id: conv.ownerID, isBot: false } }, conv.binding)
  ctx.log.warn({ thread: conv.thread, old, now: conv.sessionID }, "the bound session was gone; bound a new one")
  ctx.notify(conv.surface, conv.thread, `The previous OpenCode session (\`${old}\`) no longer exists, so this thread now uses a new one (\`${conv.sessionID}\`). Earlier context is not carried over.`)
  await sendPrompt(ctx, conv, parts, sender, true)
}

/** Busy: a turn runs here, or the session works for another client. */
export function isBusy(ctx: ConversationContext, conv: Conversation): boolean {
  if (conv.run) return true
  const derived = ctx.store.session(conv.sessionID)?.derived
  return derived !== undefined && derived !== "idle"
}

/** Queues a follow-up; undefined when the thread's queue is full (nothing is stored). */
export function enqueue(ctx: ConversationContext, conv: Conversation, parts: PromptPart[], sender: Sender): number | undefined {
  if (ctx.repos.queue.list(conv.thread).length >= ctx.settings.maxQueuedPerThread) return undefined
  const { position } = ctx.repos.queue.push({
    thread: conv.thread,
    userID: sender.id,
    ...(sender.name ? { userName: sender.name } : {}),
    parts,
    at: ctx.now(),
  })
  return position
}

/** Sends the next queued follow-up if the session is free. */
export async function drain(ctx: ConversationContext, conv: Conversation): Promise<void> {
  if (isBusy(ctx, conv)) return
  const [next] = ctx.repos.queue.list(conv.thread)
  if (!next) return
  ctx.repos.queue.remove(next.id)
  await sendPrompt(ctx, conv, next.parts, next.userName ? { id: next.userID, name: next.userName } : { id: next.userID })
}
