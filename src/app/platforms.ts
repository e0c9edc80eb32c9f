// The chat adapters the config asks for. Adding a platform means a folder under adapters/ and
// one entry here.
import { MattermostAdapter } from "../../adapters/mattermost/adapter.ts"
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
  return adapters
}
