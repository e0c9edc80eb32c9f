// The Mattermost ChatAdapter: wires the connection (client.ts, rest.ts), inbound mapping
// (inbound/*, in order through inbox.ts), reconnect recovery (missed.ts) and outbound payloads
// (outbound.ts). Deliberately thin: each concern lives in its own file.
import type { WebSocketMessage } from "@mattermost/client"
import type { FileUploadResponse } from "@mattermost/types/files"
import type { Post, PostList } from "@mattermost/types/posts"
import { ChatError, isChatError } from "../../src/chat/errors.ts"
import type {
  ChatAdapter,
  ChatCapabilities,
  ChatEvent,
  ChatSink,
  HttpRoute,
  MessageRef,
  OutFile,
  OutMessage,
  ThreadRef,
} from "../../src/chat/types.ts"
import type { Logger } from "../../src/log/logger.ts"
import { withDeadline } from "../../src/timing/deadline.ts"
import { Channels } from "./channels.ts"
import { BotSocket, createClient, readServer } from "./client.ts"
import { actionRoute } from "./inbound/action.ts"
import { parsePosted, skipReason, toMessageEvent, type InboundDeps, type Posted } from "./inbound/posted.ts"
import { parseReaction, toReactionEvent, type WireReaction } from "./inbound/reaction.ts"
import { Inbox } from "../../src/chat/inbox.ts"
import { DEFAULT_RATE_RULES, LIMITS } from "./limits.ts"
import { Recovery } from "./missed.ts"
import { checkOptions, type MattermostOptions } from "./options.ts"
import { editProps, emojiName, hasActions, neutralizeMentions, type Buttons } from "./outbound.ts"
import { channelOf, decodeMessage, decodeThread, encodeMessage, PLATFORM } from "./refs.ts"
import { Rest } from "./rest.ts"
import { SeenIds } from "../../src/chat/seen-ids.ts"
import { Profiles } from "./users.ts"

export class MattermostAdapter implements ChatAdapter {
  readonly platform = PLATFORM
  readonly capabilities: ChatCapabilities
  private readonly opts: MattermostOptions
  private readonly log: Logger
  private readonly rest: Rest
  private readonly channels: Channels
  private readonly inbox: Inbox
  private readonly seen = new SeenIds(LIMITS.seenPosts)
  private readonly buttons: Buttons | undefined
  private readonly route: HttpRoute | undefined
  private deps: InboundDeps | undefined
  private sink: ChatSink | undefined
  private socket: BotSocket | undefined
  private recovery: Recovery | undefined

  constructor(opts: MattermostOptions) {
    checkOptions(opts)
    this.opts = opts
    this.log = opts.log
    this.rest = new Rest(createClient(opts.url, opts.token), LIMITS.requestTimeoutMs)
    this.channels = new Channels(this.rest, opts.channels ?? [])
    this.inbox = new Inbox((err, channel) => this.log.error({ err, channel }, "inbound Mattermost event failed; it was not delivered"))
    const callbackPath = opts.callbackPath ?? LIMITS.callbackPath
    if (opts.publicUrl && opts.secret) {
      this.buttons = { url: `${opts.publicUrl.replace(/\/+$/, "")}${callbackPath}`, secret: opts.secret, ttlMs: LIMITS.contextTtlMs }
      const triggers = new SeenIds(LIMITS.seenTriggers)
      this.route = actionRoute({
        inbound: () => this.started(),
        log: this.log,
        path: callbackPath,
        secret: opts.secret,
        channels: this.channels,
        triggers,
        sink: () => this.sink,
        ...(opts.callbackAllowFrom ? { allowFrom: opts.callbackAllowFrom } : {}),
      })
      const warning = insecureCallback(opts.publicUrl)
      if (warning) this.log.warn({ publicUrl: opts.publicUrl }, warning)
    }
    this.capabilities = {
      maxMessageLength: LIMITS.maxPostSizeFallback - LIMITS.postSizeMargin,
      softMessageLength: opts.softPostLength ?? LIMITS.softPostLength,
      markdown: "gfm",
      buttons: Boolean(this.buttons),
      selects: Boolean(this.buttons),
      reactions: true,
      ephemeral: true,
      maxActions: LIMITS.maxActions,
      maxActionLabel: LIMITS.maxActionLabel,
      rateRules: opts.rateRules ?? DEFAULT_RATE_RULES,
    }
  }

  async start(sink: ChatSink): Promise<void> {
    if (this.socket) throw new Error("mattermost: the adapter is already started")
    const facts = await readServer(this.rest)
    if (this.opts.team) await this.channels.restrictToTeam(this.opts.team)
    this.deps = { me: { id: facts.me.id, username: facts.me.username }, users: new Profiles(this.rest), rest: this.rest, log: this.log }
    this.capabilities.maxMessageLength = facts.maxPostSize - LIMITS.postSizeMargin
    if (facts.editLimitSec >= 0) this.capabilities.maxEditAgeMs = Math.max(0, facts.editLimitSec * 1000 - LIMITS.editLimitMarginMs)
    this.sink = sink
    const recovery = new Recovery(
      { rest: this.rest, channels: this.channels, inbox: this.inbox, log: this.log, accept: (post, channel, recovered) => this.acceptPost({ post, channel }, recovered) },
      Date.now(),
    )
    this.recovery = recovery
    const ws = this.opts.webSocket ?? {}
    this.socket = new BotSocket(
      this.rest.client,
      this.opts.token,
      { minRetryMs: ws.minRetryMs ?? LIMITS.webSocketMinRetryMs, jitterMs: ws.jitterMs ?? LIMITS.webSocketJitterMs },
      { onEvent: (msg) => this.onEvent(msg), onMissed: () => recovery.trigger() },
      this.log,
    )
    const connected = await this.socket.waitConnected(LIMITS.startConnectTimeoutMs)
    if (!connected) this.log.warn("Mattermost WebSocket not connected yet; retrying in the background")
    this.log.info({ bot: facts.me.username, maxPostSize: facts.maxPostSize, buttons: this.capabilities.buttons }, "Mattermost adapter started")
  }

  async stop(): Promise<void> {
    const { socket, recovery } = this
    this.socket = undefined
    this.recovery = undefined
    await recovery?.stop()
    await socket?.close()
    await withDeadline(this.inbox.idle(), LIMITS.stopDrainMs)
    this.sink = undefined
  }

  /** For `switchboard doctor`: the token works and what the server allows. */
  async check(): Promise<string> {
    const facts = await readServer(this.rest)
    const buttons = this.buttons ? `buttons via ${this.buttons.url}` : "no publicUrl: approvals by reaction"
    const warning = this.opts.publicUrl ? insecureCallback(this.opts.publicUrl) : undefined
    return `bot @${facts.me.username} on ${this.opts.url} (posts up to ${facts.maxPostSize} characters; ${buttons})${warning ? `; warning: ${warning}` : ""}`
  }

  async lookup(kind: "user" | "channel", name: string): Promise<string | undefined> {
    const absent = (err: unknown) => {
      if (isChatError(err, "not_found") || isChatError(err, "forbidden")) return undefined
      throw err
    }
    if (kind === "user") {
      const user = await this.rest.get<{ id: string }>(`look up user @${name}`, `${this.rest.client.getUsersRoute()}/username/${encodeURIComponent(name)}`).catch(absent)
      return user?.id
    }
    const me = this.rest.client.getUserRoute("me")
    const teams = this.channels.teamId ? [{ id: this.channels.teamId }] : await this.rest.get<Array<{ id: string }>>("list the bot's teams", `${me}/teams`)
    for (const team of teams) {
      const url = `${this.rest.client.getTeamRoute(team.id)}/channels/name/${encodeURIComponent(name)}`
      const channel = await this.rest.get<{ id: string }>(`look up channel ~${name}`, url).catch(absent)
      if (channel) return channel.id
    }
    return undefined
  }

  scopeOf(ref: ThreadRef | MessageRef): { channel: string; workspace: string } {
    return { channel: channelOf(ref), workspace: PLATFORM }
  }

  routes(): HttpRoute[] {
    return this.route ? [this.route] : []
  }

  /**
   * Posts the text; a message with buttons then gets them in an edit, signed for the new post's
   * id (a context copied to another post is refused). If that edit fails the post is taken back,
   * so delivery's retry never leaves a buttonless twin behind.
   */
  async post(thread: ThreadRef, message: OutMessage): Promise<MessageRef> {
    const t = decodeThread(thread)
    const body = { channel_id: t.channel, root_id: t.root, message: neutralizeMentions(message.text) }
    const post = await this.rest.send<Post>(`post to ${where(t)}`, "post", this.rest.client.getPostsRoute(), body)
    const ref = encodeMessage({ channel: t.channel, post: post.id })
    if (hasActions(message, this.buttons)) {
      try {
        await this.edit(ref, message)
      } catch (err) {
        await this.delete(ref).catch((e: unknown) => this.log.warn({ err: e, postId: post.id }, "could not take back a post whose buttons failed"))
        throw err
      }
    }
    return ref
  }

  async edit(ref: MessageRef, content: OutMessage): Promise<void> {
    const m = decodeMessage(ref)
    const body = { message: neutralizeMentions(content.text), props: editProps(content, this.buttons, m.post, Date.now()) }
    await this.rest.send(`edit post ${m.post}`, "put", `${this.rest.client.getPostRoute(m.post)}/patch`, body)
  }

  async recentPosts(thread: ThreadRef, since: number): Promise<Array<{ ref: MessageRef; text: string; at: number }>> {
    const t = decodeThread(thread)
    const me = this.started().me.id
    const url = `${this.rest.client.getChannelRoute(t.channel)}/posts?since=${since}&skipFetchThreads=true`
    const list = await this.rest.get<PostList>(`read recent posts of ${where(t)}`, url)
    return Object.values(list.posts)
      .filter((p) => p.user_id === me && p.root_id === t.root && !p.delete_at && p.create_at >= since)
      .sort((a, b) => a.create_at - b.create_at)
      .map((p) => ({ ref: encodeMessage({ channel: t.channel, post: p.id }), text: p.message, at: p.create_at }))
  }

  async delete(ref: MessageRef): Promise<void> {
    const m = decodeMessage(ref)
    await this.rest.send(`delete post ${m.post}`, "delete", this.rest.client.getPostRoute(m.post))
  }

  async react(ref: MessageRef, emoji: string): Promise<void> {
    const m = decodeMessage(ref)
    const body = { user_id: this.started().me.id, post_id: m.post, emoji_name: emojiName(emoji) }
    await this.rest.send(`react :${body.emoji_name}: to post ${m.post}`, "post", this.rest.client.getReactionsRoute(), body)
  }

  async typing(thread: ThreadRef): Promise<void> {
    const t = decodeThread(thread)
    const body = { channel_id: t.channel, parent_id: t.root }
    await this.rest.send(`show typing in ${where(t)}`, "post", `${this.rest.client.getUserRoute("me")}/typing`, body)
  }

  async ephemeral(thread: ThreadRef, userId: string, text: string): Promise<void> {
    const t = decodeThread(thread)
    const body = { user_id: userId, post: { channel_id: t.channel, root_id: t.root, message: text } }
    await this.rest.send(`ephemeral post for user ${userId} in ${where(t)}`, "post", `${this.rest.client.getPostsRoute()}/ephemeral`, body)
  }

  async upload(thread: ThreadRef, file: OutFile, comment?: string): Promise<MessageRef> {
    const t = decodeThread(thread)
    const form = new FormData()
    form.append("channel_id", t.channel)
    form.append("files", new Blob([new Uint8Array(file.data)], { type: file.mime }), file.name)
    const what = `upload ${file.name} (${file.data.length} bytes) to ${where(t)}`
    const up = await this.rest.send<FileUploadResponse>(what, "post", this.rest.client.getFilesRoute(), form)
    const id = up.file_infos?.[0]?.id
    if (!id) throw new ChatError(PLATFORM, "invalid", `${what}: the server returned no file id`)
    const body = { channel_id: t.channel, root_id: t.root, message: comment ?? "", file_ids: [id] }
    const post = await this.rest.send<Post>(`post ${file.name} to ${where(t)}`, "post", this.rest.client.getPostsRoute(), body)
    return encodeMessage({ channel: t.channel, post: post.id })
  }

  private started(): InboundDeps {
    if (!this.deps) throw new ChatError(PLATFORM, "invalid", "the Mattermost adapter is not started")
    return this.deps
  }

  private onEvent(msg: WebSocketMessage): void {
    const event = msg.event as string
    const data = (msg.data ?? {}) as Record<string, unknown>
    if (event === "posted") {
      const posted = parsePosted(data)
      if (posted) this.acceptPost(posted, false)
    } else if (event === "reaction_added" || event === "reaction_removed") {
      const reaction = parseReaction(data)
      if (reaction) this.acceptReaction(reaction, event === "reaction_added")
    }
  }

  /** Live and recovered posts alike: filtered, de-duplicated by id, then mapped in channel order. */
  private acceptPost(posted: Posted, recovered: boolean): void {
    const { post } = posted
    const deps = this.started()
    this.recovery?.note(post.create_at)
    const skip = skipReason(post, deps.me.id)
    if (skip) return this.log.debug({ postId: post.id, skip }, "post ignored")
    if (!this.seen.add(post.id)) return
    const task = async () => {
      const channel = posted.channel.type ? this.channels.remember(posted.channel) : await this.channels.get(post.channel_id)
      if (!(await this.channels.serves(channel, post.user_id))) return
      await this.deliver(await toMessageEvent(deps, { ...posted, channel }))
    }
    if (recovered) this.inbox.pushRecovered(post.channel_id, task)
    else this.inbox.push(post.channel_id, task)
  }

  private acceptReaction(reaction: WireReaction, added: boolean): void {
    const deps = this.started()
    if (reaction.user_id === deps.me.id) return
    this.inbox.push(reaction.channel_id || reaction.post_id, async () => {
      const post = await this.rest
        .get<Post>(`read reacted post ${reaction.post_id}`, this.rest.client.getPostRoute(reaction.post_id))
        .catch((err: unknown) => {
          if (isChatError(err, "not_found")) return undefined
          throw err
        })
      if (!post) return this.log.debug({ postId: reaction.post_id }, "reaction on a deleted post ignored")
      const channel = await this.channels.get(post.channel_id)
      if (!(await this.channels.serves(channel, reaction.user_id))) return
      const event = await toReactionEvent(deps, reaction, added, post, channel)
      if (event) await this.deliver(event)
    })
  }

  private async deliver(event: ChatEvent): Promise<void> {
    await this.sink?.(event)
  }
}

const where = (t: { channel: string; root: string }) => `channel ${t.channel}${t.root ? ` (thread ${t.root})` : ""}`

/** Button callbacks over plain HTTP to another host travel readable (and forgeable in transit). */
export function insecureCallback(publicUrl: string): string | undefined {
  const url = new URL(publicUrl)
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i.test(url.hostname)
  return url.protocol === "http:" && !loopback
    ? "mattermost.publicUrl is plain HTTP on a non-loopback address: button callbacks cross the network unencrypted. Use HTTPS (a TLS proxy in front of the relay), and set mattermost.callbackAllowFrom to the Mattermost server's address."
    : undefined
}
