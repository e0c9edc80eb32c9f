// REST routes for identity and places: users, teams, channels, channel members, DMs, the client
// config and typing. Each handler validates, calls FakeState, and returns the real JSON shape.
import { jsonBody, ok, route, SERVER_VERSION, statusOk, type Ctx, type Route } from "./http.ts"
import { badParam, forbidden, MmError, type Channel } from "./types.ts"

/** `me` means the session's user, as in every `/users/{user_id}` route. */
const uid = (ctx: Ctx, id: string) => (id === "me" ? ctx.userId : id)

function requireSelf(ctx: Ctx, id: string): string {
  const resolved = uid(ctx, id)
  if (resolved !== ctx.userId) throw forbidden(`user_id=${resolved}`)
  return resolved
}

function channelMember(ctx: Ctx, channel: Channel, userId: string) {
  if (!ctx.state.isMember(channel.id, userId)) {
    throw new MmError(404, "app.channel.get_member.missing.app_error", "No channel member found for that user ID and channel ID.")
  }
  return {
    channel_id: channel.id,
    user_id: userId,
    roles: "channel_user",
    last_viewed_at: 0,
    msg_count: 0,
    mention_count: 0,
    notify_props: { desktop: "default", email: "default", mark_unread: "all", push: "default" },
    last_update_at: channel.update_at,
    scheme_guest: false,
    scheme_user: true,
    scheme_admin: false,
  }
}

export const coreRoutes: Route[] = [
  route("GET", "/system/ping", () => statusOk(), { public: true }),
  route(
    "GET",
    "/config/client",
    (ctx) =>
      ok({
        Version: SERVER_VERSION,
        BuildNumber: "fake",
        SiteURL: ctx.state.siteUrl,
        SiteName: "Fake Mattermost",
        MaxPostSize: String(ctx.state.options.maxPostSize),
        MaxFileSize: "104857600",
        PostEditTimeLimit: String(ctx.state.options.postEditTimeLimitSeconds ?? -1),
        EnableBotAccountCreation: "true",
        ExperimentalEnablePostMetadata: "true",
      }),
    { public: true },
  ),
  route("GET", "/users/username/:username", (ctx) => {
    const user = [...ctx.state.users.values()].find((u) => u.username === ctx.params.username)
    if (!user) throw new MmError(404, "app.user.get_by_username.app_error", "Unable to find an existing account matching this username.")
    return ok(user)
  }),
  route("POST", "/users/ids", (ctx) => {
    const ids = jsonBody<unknown>(ctx)
    if (!Array.isArray(ids)) throw badParam("user_ids")
    return ok(ids.map((id) => ctx.state.users.get(String(id))).filter((u) => u !== undefined))
  }),
  route("GET", "/users/:id", (ctx) => ok(ctx.state.requireUser(uid(ctx, ctx.params.id!)))),
  route("GET", "/users/:id/teams", (ctx) => ok(ctx.state.teamsOf(requireSelf(ctx, ctx.params.id!)))),
  route("GET", "/users/:id/teams/:team/channels", (ctx) => {
    const userId = requireSelf(ctx, ctx.params.id!)
    ctx.state.requireTeam(ctx.params.team!)
    return ok(ctx.state.channelsOf(userId, ctx.params.team!))
  }),
  route("POST", "/users/:id/typing", (ctx) => {
    const userId = requireSelf(ctx, ctx.params.id!)
    const body = jsonBody<{ channel_id?: string; parent_id?: string } | null>(ctx)
    if (!body?.channel_id) throw badParam("channel_id")
    ctx.state.requireRead(userId, body.channel_id)
    ctx.state.recordTyping({ userId, channelId: body.channel_id, parentId: body.parent_id ?? "", via: "rest" })
    return statusOk()
  }),
  route("GET", "/teams/:id", (ctx) => {
    const team = ctx.state.requireTeam(ctx.params.id!)
    if (!ctx.state.teamMembers.get(team.id)?.has(ctx.userId)) throw forbidden(`team_id=${team.id}`)
    return ok(team)
  }),
  route("GET", "/teams/:team/members/:user", (ctx) => {
    const team = ctx.state.requireTeam(ctx.params.team!)
    const members = ctx.state.teamMembers.get(team.id)
    if (!members?.has(ctx.userId)) throw forbidden(`team_id=${team.id}`)
    const userId = uid(ctx, ctx.params.user!)
    if (!members.has(userId)) throw new MmError(404, "app.team.get_member.missing.app_error", "No team member found for that user ID and team ID.")
    return ok({ team_id: team.id, user_id: userId, roles: "team_user", delete_at: 0, scheme_guest: false, scheme_user: true, scheme_admin: false })
  }),
  route("GET", "/teams/:team/channels/name/:name", (ctx) => {
    const channel = [...ctx.state.channels.values()].find((c) => c.team_id === ctx.params.team && c.name === ctx.params.name)
    if (!channel) throw new MmError(404, "app.channel.get_by_name.missing.app_error", "Channel does not exist.")
    return ok(ctx.state.requireRead(ctx.userId, channel.id))
  }),
  route("POST", "/channels/direct", (ctx) => {
    const ids = jsonBody<unknown>(ctx)
    if (!Array.isArray(ids) || ids.length !== 2 || ids.some((x) => typeof x !== "string")) throw badParam("user_ids")
    if (!ids.includes(ctx.userId)) throw forbidden("a DM must include the caller")
    return ok(ctx.state.directChannel(ids[0] as string, ids[1] as string), 201)
  }),
  route("GET", "/channels/:id", (ctx) => ok(ctx.state.requireRead(ctx.userId, ctx.params.id!))),
  route("GET", "/channels/:id/members/:user", (ctx) => {
    const channel = ctx.state.requireRead(ctx.userId, ctx.params.id!)
    return ok(channelMember(ctx, channel, uid(ctx, ctx.params.user!)))
  }),
]
