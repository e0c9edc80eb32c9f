// Inbound platform events already handled, so a replay after a reconnect is handled once.
import type { Db } from "./db.ts"

export function createSeenEventsRepo(db: Db) {
  const insert = db.prepare("INSERT INTO seen_events (platform, event_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
  const prune = db.prepare("DELETE FROM seen_events WHERE at < ?")
  return {
    /** Records the event; false when it was seen before. */
    first: (platform: string, eventID: string, at: number): boolean => insert.run(platform, eventID, at).changes === 1,
    prune: (before: number) => prune.run(before).changes,
  }
}

export type SeenEventsRepo = ReturnType<typeof createSeenEventsRepo>
