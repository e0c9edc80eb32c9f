// The contract every chat adapter must keep, as one table-driven suite. A platform's test
// wires its adapter to its fake and hands over a few hooks; the suite checks what delivery and
// the core rely on: refs, post/edit as people see them, error classification, inbound events,
// the bot's own messages ignored, clicks arriving as actions with private answers, and — where
// the platform has them — a click's Responder and native streams.
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { ChatError, RateLimitError } from "../../../src/chat/errors.ts"
import type { ChatAdapter, ChatEvent, ChatReply, ThreadRef } from "../../../src/chat/types.ts"

export interface ContractHarness {
  adapter: ChatAdapter
  /** A thread the bot may post in. */
  thread: ThreadRef
  /** What a person sees for a posted message (text), or undefined if it is gone. */
  shown(ref: string): Promise<string | undefined> | string | undefined
  /** Makes the platform refuse the next call with a rate limit. */
  rateLimitNext(): void
  /** A person posts `text` mentioning the bot; resolves when posted. */
  userMentions(text: string): Promise<void> | void
  /** The bot itself posts (not through the adapter): must not reach the sink. */
  botPostsDirectly(text: string): Promise<void> | void
  /** A person clicks the action `actionId` on the message; `null` if the platform has no buttons. */
  click: ((ref: string, actionId: string) => Promise<void>) | null
  /** Private notes the clicking person got. */
  ephemeralsOfClicker(): Promise<string[]> | string[]
  /** Whom a native stream is for (platforms that address streams, Slack in channels). */
  recipient?: { user: string; workspace: string }
  close(): Promise<void>
}

export function describeAdapterContract(name: string, start: (sink: (e: ChatEvent) => Promise<ChatReply | void>) => Promise<ContractHarness>): void {
  describe(`${name} keeps the adapter contract`, () => {
    let h: ContractHarness
    const events: ChatEvent[] = []
    let reply: ChatReply | void = undefined
    const waiters: Array<() => void> = []
    const sink = async (e: ChatEvent) => {
      events.push(e)
      for (const w of waiters.splice(0)) w()
      return reply
    }
    const next = (pred: (e: ChatEvent) => boolean) =>
      new Promise<ChatEvent>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no matching event within 10 s")), 10_000)
        const check = () => {
          const hit = events.find(pred)
          if (hit) {
            clearTimeout(timer)
            resolve(hit)
          } else waiters.push(check)
        }
        check()
      })

    beforeEach(async () => {
      events.length = 0
      reply = undefined
      h = await start(sink)
    })
    afterEach(async () => {
      await h?.close()
    })

    it("refs carry the platform prefix; a message and its thread share a channel scope", async () => {
      expect(h.thread.startsWith(`${h.adapter.platform}:`)).toBe(true)
      const ref = await h.adapter.post(h.thread, { text: "hello" })
      expect(ref.startsWith(`${h.adapter.platform}:`)).toBe(true)
      expect(h.adapter.scopeOf(ref).channel).toBe(h.adapter.scopeOf(h.thread).channel)
    })

    it("post then edit: people see the edit; buttons come and go", async () => {
      const ref = await h.adapter.post(h.thread, { text: "first", actions: [{ id: "sb:per_x1:once", label: "Allow once" }] })
      expect(await h.shown(ref)).toBe("first")
      await h.adapter.edit(ref, { text: "second" })
      expect(await h.shown(ref)).toBe("second")
    })

    it("text over the platform's limit is a too_long error, not a silent cut", async () => {
      const err = await h.adapter.post(h.thread, { text: "x".repeat(h.adapter.capabilities.maxMessageLength + 5_000) }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ChatError)
      expect((err as ChatError).code).toBe("too_long")
    })

    it("a platform rate limit is a RateLimitError with a retry time", async () => {
      const ref = await h.adapter.post(h.thread, { text: "before" })
      h.rateLimitNext()
      const err = await h.adapter.edit(ref, { text: "after" }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(RateLimitError)
      expect((err as RateLimitError).retryAfterMs).toBeGreaterThan(0)
    })

    it("a person's mention arrives as a message event; the bot's own posts never do", async () => {
      await h.botPostsDirectly("the bot talking to itself")
      await h.userMentions("please help")
      // The bot's mention is stripped from the text.
      const e = await next((x) => x.kind === "message" && x.text === "please help")
      expect(e.kind === "message" && e.mentioned).toBe(true)
      expect(e.user.isBot).toBe(false)
      expect(events.some((x) => x.kind === "message" && x.text.includes("talking to itself"))).toBe(false)
    })

    it("a click arrives as an action with our opaque id; the private answer reaches the clicker", async () => {
      if (!h.click) return
      const ref = await h.adapter.post(h.thread, { text: "choose", actions: [{ id: "sb:per_contract1:once", label: "Allow once" }] })
      reply = { ephemeral: "Only @owner can answer this request." }
      await h.click(ref, "sb:per_contract1:once")
      const e = await next((x) => x.kind === "action")
      expect(e.kind === "action" && e.actionId).toBe("sb:per_contract1:once")
      expect(e.kind === "action" && e.message).toBe(ref)
      expect(await h.ephemeralsOfClicker()).toContain("Only @owner can answer this request.")
    })

    it("a click's responder answers privately and replaces the clicked message in place", async () => {
      if (!h.click) return
      const ref = await h.adapter.post(h.thread, { text: "approve?", actions: [{ id: "sb:per_contract2:once", label: "Allow once" }] })
      await h.click(ref, "sb:per_contract2:once")
      const e = await next((x) => x.kind === "action" && x.actionId === "sb:per_contract2:once")
      const respond = e.kind === "action" ? e.respond : undefined
      if (!respond) return
      await respond.ephemeral("Noted privately.")
      expect(await h.ephemeralsOfClicker()).toContain("Noted privately.")
      if (!respond.update) return
      await respond.update({ text: "Allowed once by alice." })
      expect(await h.shown(ref)).toBe("Allowed once by alice.")
    })

    it("a native stream is one message showing the appends; stop(final) replaces it", async () => {
      if (!h.adapter.stream) return
      const opening = { text: "Hello", ...(h.recipient ? { recipient: h.recipient } : {}) }
      const s = await h.adapter.stream(h.thread, opening)
      expect(s.ref.startsWith(`${h.adapter.platform}:`)).toBe(true)
      expect(h.adapter.scopeOf(s.ref).channel).toBe(h.adapter.scopeOf(h.thread).channel)
      await s.append(", world")
      await s.append("!")
      await s.stop()
      expect(await h.shown(s.ref)).toBe("Hello, world!")
      const t = await h.adapter.stream(h.thread, { ...opening, text: "draft" })
      await t.append(" text")
      await t.stop({ text: "The final answer." })
      expect(await h.shown(t.ref)).toBe("The final answer.")
    })
  })
}
