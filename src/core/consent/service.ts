// Consent against a live runtime: the rules for a new session (with the runtime's current
// agents, cached briefly), and the start-up check that a session we create really asks before
// running what our rules ask about. The check reads back what the runtime stored and evaluates
// it the way the runtime does (merge(agent rules, session rules), last match wins); it refuses
// when the runtime dropped or overrode our rules (docs/consent.md).
import type { Logger } from "../../log/logger.ts"
import type { RuntimeClient } from "../../runtime/client.ts"
import { evaluate, type PermissionRule } from "../../runtime/permission-rules.ts"
import { consentPermissions, describeRules, sessionRules, type AgentRules, type ConsentSettings, type SessionRules } from "./policy.ts"

/** The runtime calls consent needs. */
export interface ConsentRuntime {
  agents(directory: string): Promise<Array<AgentRules & { hidden?: boolean }>>
  createSession(directory: string, input: { title: string; permission: PermissionRule[] }): Promise<{ id: string }>
  getSession(directory: string, id: string): Promise<{ permission?: PermissionRule[] }>
  deleteSession(directory: string, id: string): Promise<unknown>
}

export interface ConsentReport {
  ok: boolean
  problems: string[]
  rules: PermissionRule[]
  disabled: SessionRules["disabled"]
  /** Human-readable lines for doctor and logs. */
  lines: string[]
}

/** The consent calls bound to a runtime client. */
export function consentRuntime(client: RuntimeClient): ConsentRuntime {
  return {
    agents: (dir) => client.catalog.agents(dir),
    createSession: (dir, input) => client.sessions.create(dir, input),
    getSession: (dir, id) => client.sessions.get(dir, id),
    deleteSession: (dir, id) => client.sessions.delete(dir, id),
  }
}

export class ConsentError extends Error {
  readonly code = "consent_not_enforced"
}

/** A command and a path no sane relaxation allows: what a session must ask about. */
const PROBE = "switchboard-consent-probe --must-ask"

export class Consent {
  private readonly deps: { runtime: ConsentRuntime; settings: ConsentSettings; log: Logger; agentsTtlMs?: number; now?: () => number }
  private readonly agents = new Map<string, { at: number; list: Promise<AgentRules[] | undefined> }>()

  constructor(deps: Consent["deps"]) {
    this.deps = deps
  }

  get settings(): ConsentSettings {
    return this.deps.settings
  }

  /** The rules a session created now in `directory` must carry. */
  async rulesFor(directory: string): Promise<SessionRules> {
    return sessionRules(this.deps.settings, directory, await this.agentsOf(directory))
  }

  private agentsOf(directory: string): Promise<AgentRules[] | undefined> {
    const now = (this.deps.now ?? Date.now)()
    const hit = this.agents.get(directory)
    if (hit && now - hit.at < (this.deps.agentsTtlMs ?? 60_000)) return hit.list
    const list = this.deps.runtime.agents(directory).catch((err: unknown) => {
      this.deps.log.warn({ err, directory }, "could not read the runtime's agents; subagents are off for new sessions until it answers")
      this.agents.delete(directory)
      return undefined
    })
    this.agents.set(directory, { at: now, list })
    return list
  }

  /** Creates a probe session, reads its rules back, and checks that it asks; then deletes it. */
  async verify(directory: string): Promise<ConsentReport> {
    const { runtime, log } = this.deps
    const { rules, disabled } = await this.rulesFor(directory)
    const problems: string[] = []
    const probe = await runtime.createSession(directory, { title: "Switchboard consent check (deleted right away)", permission: rules })
    try {
      const stored = (await runtime.getSession(directory, probe.id)).permission ?? []
      const tail = stored.slice(-rules.length)
      if (JSON.stringify(tail) !== JSON.stringify(rules)) {
        problems.push(`the runtime did not keep the permission rules of a session the relay created (sent ${rules.length}, it stored ${stored.length})`)
      }
      const agents = (await runtime.agents(directory)).filter((a) => a.mode !== "subagent" && !a.hidden)
      for (const permission of consentPermissions(rules)) {
        for (const agent of agents) {
          const verdict = evaluate(permission, PROBE, agent.permission, stored)
          if (verdict.action === "allow") problems.push(`agent "${agent.name}" would run ${permission} without asking (rule ${verdict.permission} ${verdict.pattern} → allow)`)
        }
      }
    } finally {
      await runtime.deleteSession(directory, probe.id).catch((err: unknown) => log.warn({ err, session: probe.id }, "could not delete the consent probe session"))
    }
    const lines = [
      ...describeRules(rules).map((l) => `rule: ${l}`),
      ...disabled.map((d) => (d.agent === "*" ? "subagents: off (the runtime's agents could not be read)" : `subagent ${d.agent}: off — its own rules would run ${d.permission} (${d.pattern}) without asking`)),
    ]
    return { ok: problems.length === 0, problems, rules, disabled, lines }
  }
}
