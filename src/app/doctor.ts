// `switchboard doctor`: checks the set-up as a new operator needs it checked — config (and who
// can read the file), database, runtime (reachable, and the permission rules its sessions will
// really carry), chat platforms (tokens, what is missing), and the access settings that leave
// approvals weaker than an operator may think. Prints one line per finding; exit code 1 if any
// check failed.
import { statSync } from "node:fs"
import { resolve } from "node:path"
import { AccessPolicy } from "../core/access/policy.ts"
import { hasApprovers } from "../core/access/rules.ts"
import { configuredRules, describeRules } from "../core/consent/policy.ts"
import { Consent, consentRuntime } from "../core/consent/service.ts"
import type { ChatAdapter } from "../chat/types.ts"
import { createLogger } from "../log/logger.ts"
import { createRuntimeClient } from "../runtime/client.ts"
import { findOpencodeBinary } from "../runtime/opencode-binary.ts"
import { openDatabase } from "../storage/db.ts"
import type { Config } from "./config.ts"
import { consentFrom } from "./launch.ts"
import { platformAdapters } from "./platforms.ts"

export interface Findings {
  lines: string[]
  failed: number
}

/** Group- or world-readable config files hand the bot tokens to every local user (and agent). */
export function configFileWarning(file: string): string | undefined {
  try {
    const mode = statSync(file).mode & 0o777
    return mode & 0o077 ? `the config file is readable by other users (mode ${mode.toString(8).padStart(3, "0")}): run chmod 600 ${file} and keep it outside the agent's project directories` : undefined
  } catch {
    return undefined
  }
}

/** Settings that are legal but weaker than people tend to assume. */
export function accessWarnings(config: Config): string[] {
  const out: string[] = []
  const ctx = { user: { id: "", isBot: false }, platform: "", channel: "", space: "channel" as const }
  if (!hasApprovers(config.access, ctx)) out.push("no approvers or admins are configured: whoever starts a thread approves its requests (access.approve)")
  else if (config.access.ownersApprove) out.push("access.ownersApprove is on: thread owners approve their own requests even though approvers exist")
  if (config.access.prompt?.everyone !== false && !config.access.prompt) out.push("everyone in a served channel may prompt (access.prompt); narrow it to users or groups if the channel is large")
  if (config.access.direct?.everyone) out.push("anyone who can message the bot directly may prompt (access.direct.everyone)")
  for (const rule of describeRules(configuredRules(consentFrom(config), config.runtime.directory ?? process.cwd()))) {
    if (/^(bash|edit) → allow$/.test(rule)) out.push(`permission rule “${rule}”: the agent runs every such call without asking`)
  }
  return out
}

export async function runDoctor(config: Config, file: string | undefined): Promise<Findings> {
  const lines: string[] = []
  let failed = 0
  const ok = (what: string) => lines.push(`✔ ${what}`)
  const warn = (what: string) => lines.push(`⚠ ${what}`)
  const bad = (what: string) => {
    failed++
    lines.push(`✘ ${what}`)
  }
  ok(`config: ${file ?? "(no file; defaults and environment)"}`)
  const exposed = file ? configFileWarning(file) : undefined
  if (exposed) warn(exposed)
  try {
    openDatabase(config.storage.path).close()
    ok(`database: ${resolve(config.storage.path)}`)
  } catch (err) {
    bad(`database: ${(err as Error).message}`)
  }
  const directory = config.runtime.directory ?? process.cwd()
  const log = createLogger({ level: "silent" })
  if (config.runtime.url) {
    const client = createRuntimeClient({ url: config.runtime.url, ...(config.runtime.username ? { username: config.runtime.username } : {}), ...(config.runtime.password ? { password: config.runtime.password } : {}) })
    try {
      const health = await client.health()
      ok(`runtime: ${config.runtime.url} (version ${health.version})`)
      const consent = new Consent({
        runtime: consentRuntime(client),
        settings: consentFrom(config),
        log,
      })
      for (const dir of new Set([directory, ...Object.keys(config.projects)])) {
        const report = await consent.verify(dir)
        if (report.ok) ok(`consent in ${dir}: sessions ask as configured`)
        else bad(`consent in ${dir}: ${report.problems.join("; ")}`)
        for (const line of report.lines) lines.push(`    ${line}`)
      }
    } catch (err) {
      bad(`runtime: ${(err as Error).message}`)
    }
  } else {
    try {
      ok(`runtime: embedded, ${findOpencodeBinary()} (its agents get the rules below; verified at start)`)
      for (const line of describeRules(configuredRules(consentFrom(config), directory))) lines.push(`    rule: ${line}`)
    } catch (err) {
      bad(`runtime: ${(err as Error).message}`)
    }
  }
  const adapters = platformAdapters(config, log)
  for (const adapter of adapters) {
    const check = (adapter as ChatAdapter & { check?(): Promise<string> }).check
    if (!check) continue
    try {
      ok(`${adapter.platform}: ${await check.call(adapter)}`)
    } catch (err) {
      bad(`${adapter.platform}: ${(err as Error).message}`)
    }
  }
  const access = new AccessPolicy(config.access)
  const names = await access.resolve(adapters.filter((a) => a.lookup), log).catch(() => undefined)
  for (const u of names?.unresolved ?? []) warn(`access: no ${u.kind} “${u.name}” on ${u.platform}; that entry matches nobody there`)
  for (const w of accessWarnings(config)) warn(w)
  return { lines, failed }
}
