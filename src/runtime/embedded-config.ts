// What the embedded runtime is started with beyond the allow-listed environment: the relay's
// permission rules at agent level (OPENCODE_PERMISSION, merged last into its config, so
// subagents ask too) and the plugin that keeps the server password out of the agent's shells
// (opencode-plugin/shell-env.js), added to whatever OPENCODE_CONFIG_CONTENT the operator set.
import { fileURLToPath } from "node:url"

export const SHELL_ENV_PLUGIN = fileURLToPath(new URL("./opencode-plugin/shell-env.js", import.meta.url))

export class EmbeddedConfigError extends Error {
  readonly code = "embedded_config_invalid"
}

/** OPENCODE_CONFIG_CONTENT with the shell-env plugin added to the operator's own plugins. */
export function configContent(existing: string | undefined): string {
  let config: Record<string, unknown> = {}
  if (existing) {
    try {
      const parsed: unknown = JSON.parse(existing)
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) config = parsed as Record<string, unknown>
      else throw new Error("not a JSON object")
    } catch (err) {
      throw new EmbeddedConfigError(`OPENCODE_CONFIG_CONTENT is not a JSON object (${(err as Error).message}); fix or unset it.`)
    }
  }
  const plugins = Array.isArray(config.plugin) ? config.plugin.filter((p): p is string => typeof p === "string") : []
  const ours = `file://${SHELL_ENV_PLUGIN}`
  return JSON.stringify({ ...config, plugin: plugins.includes(ours) ? plugins : [...plugins, ours] })
}
