// The environment an embedded runtime (and so every command the agent runs) gets: an
// allow-list of what a shell and OpenCode need, the provider keys the operator names, and
// nothing of the relay's own secrets (chat tokens, signing secrets, the runtime password).
// The relay's process environment is never passed wholesale.

/** Variables passed as they are: locale, paths, proxies, certificates, git identity. */
const EXACT = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "TERM",
  "COLORTERM",
  "TZ",
  "TMPDIR",
  "TMP",
  "TEMP",
  "EDITOR",
  "VISUAL",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_EXTRA_CA_CERTS",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
])

/** Prefixes passed as they are: locale categories, XDG dirs, the runtime's own settings, npm's. */
const PREFIXES = ["LC_", "XDG_", "OPENCODE_", "KILO_", "npm_config_", "NPM_CONFIG_"]

/** Never passed, whatever the operator lists: the relay's own secrets and what we set ourselves. */
const FORBIDDEN = /^(MATTERMOST_|SLACK_|DISCORD_|SWITCHBOARD_)|^(OPENCODE|KILO)_SERVER_(PASSWORD|USERNAME)$|^(OPENCODE|KILO)_PERMISSION$/

export class EnvConfigError extends Error {
  readonly code = "env_forbidden"
}

/** Refuses operator-listed names that would hand the relay's secrets to the agent. */
export function checkPassEnv(names: string[]): void {
  const bad = names.filter((n) => FORBIDDEN.test(n))
  if (bad.length > 0) {
    throw new EnvConfigError(
      `runtime.passEnv lists ${bad.join(", ")}: the relay's own secrets never reach the agent. Remove them (provider keys such as ANTHROPIC_API_KEY are fine).`,
    )
  }
}

export function childEnv(source: NodeJS.ProcessEnv, opts: { pass?: string[]; set?: Record<string, string> } = {}): NodeJS.ProcessEnv {
  checkPassEnv(opts.pass ?? [])
  const pass = new Set(opts.pass ?? [])
  const out: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || FORBIDDEN.test(name)) continue
    if (EXACT.has(name) || pass.has(name) || PREFIXES.some((p) => name.startsWith(p))) out[name] = value
  }
  return { ...out, ...opts.set }
}
