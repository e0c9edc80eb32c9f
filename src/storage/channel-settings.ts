// Per-channel settings chosen in chat (project directory, model, agent, verbosity).
import type { Db } from "./db.ts"

export interface ChannelSettings {
  platform: string
  channel: string
  directory: string | undefined
  model: string | undefined
  agent: string | undefined
  verbosity: string | undefined
  updatedAt: number
  updatedBy: string | undefined
}

interface Row {
  platform: string
  channel: string
  directory: string | null
  model: string | null
  agent: string | null
  verbosity: string | null
  updated_at: number
  updated_by: string | null
}

const fromRow = (r: Row): ChannelSettings => ({
  platform: r.platform,
  channel: r.channel,
  directory: r.directory ?? undefined,
  model: r.model ?? undefined,
  agent: r.agent ?? undefined,
  verbosity: r.verbosity ?? undefined,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by ?? undefined,
})

export function createChannelSettingsRepo(db: Db) {
  const get = db.prepare<[string, string], Row>("SELECT * FROM channel_settings WHERE platform = ? AND channel = ?")
  const upsert = db.prepare(
    `INSERT INTO channel_settings (platform, channel, directory, model, agent, verbosity, updated_at, updated_by)
     VALUES (@platform, @channel, @directory, @model, @agent, @verbosity, @updated_at, @updated_by)
     ON CONFLICT(platform, channel) DO UPDATE SET directory = excluded.directory, model = excluded.model,
       agent = excluded.agent, verbosity = excluded.verbosity, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  )
  return {
    get: (platform: string, channel: string) => {
      const r = get.get(platform, channel)
      return r ? fromRow(r) : undefined
    },
    save: (s: ChannelSettings) =>
      void upsert.run({
        platform: s.platform,
        channel: s.channel,
        directory: s.directory ?? null,
        model: s.model ?? null,
        agent: s.agent ?? null,
        verbosity: s.verbosity ?? null,
        updated_at: s.updatedAt,
        updated_by: s.updatedBy ?? null,
      }),
  }
}

export type ChannelSettingsRepo = ReturnType<typeof createChannelSettingsRepo>
