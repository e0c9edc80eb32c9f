// The chat adapters the config asks for (any of Mattermost, Slack and Discord, together in one
// relay). Adding a platform means a folder under adapters/ and one entry here.
import { DiscordAdapter } from "../../adapters/discord/adapter.ts"
import { MattermostAdapter } from "../../adapters/mattermost/adapter.ts"
import { SlackAdapter } from "../../adapters/slack/adapter.ts"
import type { ChatAdapter } from "../chat/types.ts"
import type { Logger } from "../log/logger.ts"
import type { Config } from "./config.ts"

export function platformAdapters(config: Config, log: Logger): ChatAdapter[] {
  const adapters: ChatAdapter[] = []
  const mm = config.mattermost
  if (mm) {
    adapters.push(
      new MattermostAdapter({
        url: mm.url,
        token: mm.token,
        channels: mm.channels,
        ...(mm.team ? { team: mm.team } : {}),
        callbackPath: mm.callbackPath,
        ...(mm.callbackAllowFrom ? { callbackAllowFrom: mm.callbackAllowFrom } : {}),
        softPostLength: mm.softPostLength,
        ...(mm.publicUrl ? { publicUrl: mm.publicUrl } : {}),
        ...(mm.secret ? { secret: mm.secret } : {}),
        ...(mm.rateRules ? { rateRules: mm.rateRules } : {}),
        ...(mm.reconnect
          ? { webSocket: { ...(mm.reconnect.minMs !== undefined ? { minRetryMs: mm.reconnect.minMs } : {}), ...(mm.reconnect.jitterMs !== undefined ? { jitterMs: mm.reconnect.jitterMs } : {}) } }
          : {}),
        log: log.child({ platform: "mattermost" }),
      }),
    )
  }
  const slack = config.slack
  if (slack) {
    adapters.push(
      new SlackAdapter({
        botToken: slack.botToken,
        ...(slack.appToken ? { appToken: slack.appToken } : {}),
        ...(slack.signingSecret ? { signingSecret: slack.signingSecret } : {}),
        mode: slack.mode,
        ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
        eventsPath: slack.eventsPath,
        channels: slack.channels,
        commandName: slack.commandName,
        streaming: slack.streaming,
        softMessageLength: slack.softMessageLength,
        ...(slack.rateRules ? { rateRules: slack.rateRules } : {}),
        log: log.child({ platform: "slack" }),
      }),
    )
  }
  const discord = config.discord
  if (discord) {
    adapters.push(
      new DiscordAdapter({
        token: discord.token,
        ...(discord.applicationId ? { applicationId: discord.applicationId } : {}),
        ...(discord.apiUrl ? { apiUrl: discord.apiUrl } : {}),
        guilds: discord.guilds,
        channels: discord.channels,
        components: discord.components,
        slashCommands: discord.slashCommands,
        softMessageLength: discord.softMessageLength,
        maxUploadBytes: Math.round(discord.maxUploadMB * 1024 * 1024),
        ...(discord.rateRules ? { rateRules: discord.rateRules } : {}),
        log: log.child({ platform: "discord" }),
      }),
    )
  }
  return adapters
}
