// Every repository over one database: the storage seam the rest of the relay depends on.
import { createAuditRepo } from "./audit.ts"
import { createBindingRepo } from "./bindings.ts"
import { createChannelSettingsRepo } from "./channel-settings.ts"
import { openDatabase, type Db } from "./db.ts"
import { createGrantRepo } from "./grants.ts"
import { createInteractionRepo } from "./interactions.ts"
import { createMenuRepo } from "./menus.ts"
import { createQueueRepo } from "./queue.ts"
import { createSeenEventsRepo } from "./seen-events.ts"
import { createTurnRepo } from "./turns.ts"

export function createRepositories(db: Db) {
  return {
    db,
    bindings: createBindingRepo(db),
    channels: createChannelSettingsRepo(db),
    turns: createTurnRepo(db),
    interactions: createInteractionRepo(db),
    grants: createGrantRepo(db),
    menus: createMenuRepo(db),
    queue: createQueueRepo(db),
    seen: createSeenEventsRepo(db),
    audit: createAuditRepo(db),
    close: () => db.close(),
  }
}

export type Repositories = ReturnType<typeof createRepositories>

export function openRepositories(path: string): Repositories {
  return createRepositories(openDatabase(path))
}
