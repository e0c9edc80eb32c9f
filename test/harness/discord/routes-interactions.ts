// REST routes for interactions and commands: the callback (no Authorization, exempt from rate
// limits, `?with_response=true|false`), the interaction webhooks (`@original`, follow-ups) and the
// bulk overwrite / listing of global and guild commands.
import { listCommands, overwriteCommands } from "./commands.ts"
import { errors } from "./errors.ts"
import { noContent, ok, route, type Ctx, type Route } from "./http.ts"
import { messageWire } from "./payloads.ts"
import { deleteWebhookMessage, editWebhookMessage, followUp, getWebhookMessage } from "./webhooks.ts"

const open = { auth: "none", exemptGlobal: true } as const

function requireApp(ctx: Ctx): void {
  if (ctx.params.appId !== ctx.state.applicationId) throw errors.missingAccess()
}

function guildScope(ctx: Ctx): string {
  requireApp(ctx)
  return ctx.state.requireGuild(ctx.params.guildId!).id
}

export const interactionRoutes: Route[] = [
  route(
    "POST",
    "/interactions/:interactionId/:token/callback",
    (ctx) => ctx.interactions.callback(ctx.params.interactionId!, ctx.params.token!, ctx.body, ctx.query.get("with_response") === "true"),
    open,
  ),
  route("GET", "/webhooks/:appId/:token/messages/:messageId", (ctx) =>
    ok(getWebhookMessage(ctx.state, ctx.params.appId!, ctx.params.token!, ctx.params.messageId!)), open),
  route("PATCH", "/webhooks/:appId/:token/messages/:messageId", (ctx) =>
    ok(editWebhookMessage(ctx.state, ctx.params.appId!, ctx.params.token!, ctx.params.messageId!, ctx.body)), open),
  route("DELETE", "/webhooks/:appId/:token/messages/:messageId", (ctx) => {
    deleteWebhookMessage(ctx.state, ctx.params.appId!, ctx.params.token!, ctx.params.messageId!)
    return noContent()
  }, open),
  route("POST", "/webhooks/:appId/:token", (ctx) => {
    const msg = followUp(ctx.state, ctx.interactions, ctx.params.appId!, ctx.params.token!, ctx.body)
    return ctx.query.get("wait") === "true" ? ok(messageWire(ctx.state, msg)) : noContent()
  }, open),
  route("PUT", "/applications/:appId/commands", (ctx) => {
    requireApp(ctx)
    return ok(overwriteCommands(ctx.state, null, ctx.body.json))
  }),
  route("GET", "/applications/:appId/commands", (ctx) => {
    requireApp(ctx)
    return ok(listCommands(ctx.state, null))
  }),
  route("PUT", "/applications/:appId/guilds/:guildId/commands", (ctx) => {
    const guildId = guildScope(ctx)
    return ok(overwriteCommands(ctx.state, guildId, ctx.body.json))
  }),
  route("GET", "/applications/:appId/guilds/:guildId/commands", (ctx) => ok(listCommands(ctx.state, guildScope(ctx)))),
]
