// The fake's whole world in memory: users and tokens, teams, channels and their members, and the
// raw stores that posts.ts, reactions.ts and files.ts operate on. Every mutation ends in
// `changed()` (drives `waitFor`) and events go out through `publish()` (the WebSocket hub
// subscribes). Knows nothing about HTTP or sockets.
import {
  badParam,
  forbidden,
  MmError,
  newId,
  now,
  type Broadcast,
  type Channel,
  type ChannelType,
  type FileInfo,
  type Post,
  type Reaction,
  type Team,
  type User,
} from "./types.ts"

export interface StateOptions {
  maxPostSize: number
  postEditTimeLimitSeconds: number | undefined
}

export interface TypingEvent {
  userId: string
  channelId: string
  parentId: string
  via: "rest" | "websocket"
  at: number
}

export interface ClickRecord {
  postId: string
  actionId: string
  userId: string
  /** The body POSTed to the integration. */
  request: Record<string, unknown>
  ok: boolean
  detail: string
}

export interface EphemeralRecord {
  userId: string
  post: Post
}

export class FakeState {
  readonly users = new Map<string, User>()
  readonly tokens = new Map<string, string>()
  readonly teams = new Map<string, Team>()
  readonly teamMembers = new Map<string, Set<string>>()
  readonly channels = new Map<string, Channel>()
  readonly channelMembers = new Map<string, Set<string>>()
  /** Stored posts, integrations included. Insertion order is creation order. */
  readonly posts = new Map<string, Post>()
  readonly reactions = new Map<string, Reaction[]>()
  readonly files = new Map<string, { info: FileInfo; data: Buffer }>()
  readonly ephemerals: EphemeralRecord[] = []
  readonly typing: TypingEvent[] = []
  readonly clicks: ClickRecord[] = []
  siteUrl = ""
  private readonly changeListeners = new Set<() => void>()
  private readonly sinks = new Set<(b: Broadcast) => void>()

  readonly options: StateOptions

  constructor(options: StateOptions) {
    this.options = options
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  changed(): void {
    for (const l of [...this.changeListeners]) l()
  }

  onBroadcast(sink: (b: Broadcast) => void): void {
    this.sinks.add(sink)
  }

  publish(b: Broadcast): void {
    for (const s of this.sinks) s(b)
  }

  addUser(input: { username: string; isBot?: boolean; roles?: string; firstName?: string; lastName?: string }) {
    if ([...this.users.values()].some((u) => u.username === input.username)) {
      throw new MmError(400, "app.user.save.username_exists.app_error", "An account with that username already exists.")
    }
    const t = now()
    const user: User = {
      id: newId(),
      username: input.username,
      first_name: input.firstName ?? "",
      last_name: input.lastName ?? "",
      nickname: "",
      email: `${input.username}@example.test`,
      roles: input.roles ?? "system_user",
      is_bot: input.isBot ?? false,
      create_at: t,
      update_at: t,
      delete_at: 0,
      locale: "en",
      auth_service: "",
      props: {},
    }
    const token = newId()
    this.users.set(user.id, user)
    this.tokens.set(token, user.id)
    this.changed()
    return { id: user.id, token, user }
  }

  addTeam(input: { name: string; displayName?: string; members?: string[] }): Team {
    const t = now()
    const team: Team = {
      id: newId(),
      name: input.name,
      display_name: input.displayName ?? input.name,
      type: "O",
      create_at: t,
      update_at: t,
      delete_at: 0,
    }
    this.teams.set(team.id, team)
    this.teamMembers.set(team.id, new Set(input.members ?? []))
    this.changed()
    return team
  }

  addChannel(input: { teamId?: string; name: string; displayName?: string; type?: ChannelType; members?: string[] }): Channel {
    const type = input.type ?? "O"
    const teamId = type === "D" || type === "G" ? "" : (input.teamId ?? "")
    if (teamId && !this.teams.has(teamId)) throw badParam("team_id")
    const members = input.members ?? []
    for (const m of members) this.requireUser(m)
    const t = now()
    const channel: Channel = {
      id: newId(),
      team_id: teamId,
      type,
      name: input.name,
      display_name: input.displayName ?? (type === "D" ? "" : input.name),
      header: "",
      purpose: "",
      creator_id: members[0] ?? "",
      create_at: t,
      update_at: t,
      delete_at: 0,
      last_post_at: t,
      last_root_post_at: t,
      total_msg_count: 0,
    }
    this.channels.set(channel.id, channel)
    this.channelMembers.set(channel.id, new Set(members))
    if (teamId) for (const m of members) this.teamMembers.get(teamId)!.add(m)
    this.changed()
    return channel
  }

  /** Adds a user to a channel (and to its team), as joining does. */
  addChannelMember(channelId: string, userId: string): void {
    const channel = this.requireChannel(channelId)
    this.requireUser(userId)
    this.channelMembers.get(channel.id)!.add(userId)
    if (channel.team_id) this.teamMembers.get(channel.team_id)?.add(userId)
    this.changed()
  }

  /** The DM between two users, created on first use; its name is the sorted ids joined by `__`. */
  directChannel(a: string, b: string): Channel {
    this.requireUser(a)
    this.requireUser(b)
    const name = [a, b].sort().join("__")
    const existing = [...this.channels.values()].find((c) => c.type === "D" && c.name === name)
    return existing ?? this.addChannel({ name, type: "D", members: a === b ? [a] : [a, b] })
  }

  userIdForToken(token: string): string | undefined {
    return this.tokens.get(token)
  }

  requireUser(id: string): User {
    const u = this.users.get(id)
    if (!u) throw new MmError(404, "app.user.missing_account.const", "Unable to find the user.", `user_id=${id}`)
    return u
  }

  requireTeam(id: string): Team {
    const t = this.teams.get(id)
    if (!t) throw new MmError(404, "app.team.get.find.app_error", "Unable to find the existing team.", `team_id=${id}`)
    return t
  }

  requireChannel(id: string): Channel {
    const c = this.channels.get(id)
    if (!c) throw new MmError(404, "app.channel.get.existing.app_error", "Unable to find the existing channel.", `channel_id=${id}`)
    return c
  }

  members(channelId: string): Set<string> {
    return this.channelMembers.get(channelId) ?? new Set()
  }

  isMember(channelId: string, userId: string): boolean {
    return this.members(channelId).has(userId)
  }

  /** Open channels are readable by members of their team; others only by channel members. */
  canRead(userId: string, channel: Channel): boolean {
    if (this.isMember(channel.id, userId)) return true
    return channel.type === "O" && (this.teamMembers.get(channel.team_id)?.has(userId) ?? false)
  }

  requireRead(userId: string, channelId: string): Channel {
    const channel = this.requireChannel(channelId)
    if (!this.canRead(userId, channel)) throw forbidden(`channel_id=${channelId}`)
    return channel
  }

  teamsOf(userId: string): Team[] {
    return [...this.teams.values()].filter((t) => this.teamMembers.get(t.id)?.has(userId))
  }

  /** Like the real `/users/me/teams/{id}/channels`: the team's channels the user is in, plus DMs. */
  channelsOf(userId: string, teamId: string): Channel[] {
    return [...this.channels.values()].filter(
      (c) => (c.team_id === teamId || c.team_id === "") && this.isMember(c.id, userId),
    )
  }

  recordTyping(e: Omit<TypingEvent, "at">): void {
    const channel = this.requireChannel(e.channelId)
    this.typing.push({ ...e, at: now() })
    this.publish({
      event: "typing",
      data: { parent_id: e.parentId, user_id: e.userId },
      broadcast: { omit_users: { [e.userId]: true }, user_id: "", channel_id: channel.id, team_id: "" },
    })
    this.changed()
  }
}
