// Names in the access config (users, bots, channel keys) resolved to platform ids at start, so
// rules match stable ids: a user who renames themselves to an approver's name gains nothing,
// and a renamed channel keeps its rules. A name that resolves to nothing matches nobody there.
import type { Logger } from "../../log/logger.ts"
import type { AccessConfig } from "./rules.ts"

export interface ResolvedNames {
  /** The id `entry` (a config name) has on `platform`, if it resolved. */
  user(platform: string, entry: string): string | undefined
  channel(platform: string, key: string): string | undefined
}

export const NO_NAMES: ResolvedNames = { user: () => undefined, channel: () => undefined }

/** What can resolve names: an adapter's `lookup`. */
export interface NameSource {
  platform: string
  lookup?(kind: "user" | "channel", name: string): Promise<string | undefined>
}

export interface NameReport {
  resolved: ResolvedNames
  /** Config names nothing answered to, per platform (shown by doctor, logged at start). */
  unresolved: Array<{ platform: string; kind: "user" | "channel"; name: string }>
}

/** Entries meant for this platform: bare ones, and those qualified `platform:name`. */
function forPlatform(entries: Iterable<string>, platform: string): string[] {
  const out = new Set<string>()
  for (const e of entries) {
    if (e.startsWith(`${platform}:`)) out.add(e)
    else if (!/^[a-z]+:/.test(e)) out.add(e)
  }
  return [...out]
}

function userEntries(config: AccessConfig): string[] {
  const rules = [config.prompt, config.approve, config.admin, config.direct, ...Object.values(config.channels ?? {}).flatMap((c) => [c.prompt, c.approve, c.admin])]
  return [...rules.flatMap((r) => r?.users ?? []), ...(config.allowBots ?? [])]
}

const strip = (entry: string, platform: string) => (entry.startsWith(`${platform}:`) ? entry.slice(platform.length + 1) : entry).replace(/^[@#~]/, "")

export async function resolveNames(config: AccessConfig, sources: NameSource[], log: Logger): Promise<NameReport> {
  const users = new Map<string, string>()
  const channels = new Map<string, string>()
  const unresolved: NameReport["unresolved"] = []
  const users0 = userEntries(config)
  const channels0 = Object.keys(config.channels ?? {})
  for (const source of sources) {
    const { platform, lookup } = source
    if (!lookup) continue
    const run = async (kind: "user" | "channel", entries: string[], into: Map<string, string>) => {
      for (const entry of forPlatform(entries, platform)) {
        const name = strip(entry, platform)
        let id: string | undefined
        try {
          id = await lookup.call(source, kind, name)
        } catch (err) {
          log.warn({ err, platform, kind, name }, "could not resolve a name from the access config; it matches nobody until the next start")
        }
        if (id) into.set(`${platform}\u0000${entry}`, id)
        else if (!looksLikeId(name)) unresolved.push({ platform, kind, name })
      }
    }
    await run("user", users0, users)
    await run("channel", channels0, channels)
  }
  for (const u of unresolved) log.warn(u, `the access config names a ${u.kind} that does not exist on ${u.platform}; it matches nothing there`)
  return {
    resolved: {
      user: (platform, entry) => users.get(`${platform}\u0000${entry}`),
      channel: (platform, key) => channels.get(`${platform}\u0000${key}`),
    },
    unresolved,
  }
}

/** Platform ids are long opaque tokens; an entry like that is taken as an id, not reported. */
function looksLikeId(s: string): boolean {
  return /^[A-Za-z0-9]{9,}$/.test(s) && /\d/.test(s)
}
