// The chat adapters the config asks for. Adding a platform means a folder under adapters/ and
// one entry here.
import type { ChatAdapter } from "../chat/types.ts"
import type { Logger } from "../log/logger.ts"
import type { Config } from "./config.ts"

export function platformAdapters(config: Config, log: Logger): ChatAdapter[] {
  const adapters: ChatAdapter[] = []
  void config
  void log
  return adapters
}
