// Opens the SQLite database (better-sqlite3): WAL, foreign keys, a busy timeout, and the
// numbered migrations applied in one transaction each. A path that cannot be opened is a
// clear error naming the path and what to do.
import { mkdirSync } from "node:fs"
import { dirname, resolve } from "node:path"
import Database from "better-sqlite3"
import { MIGRATIONS } from "./migrations.ts"

export type Db = Database.Database

export class StorageError extends Error {
  readonly code = "storage_unavailable"
}

export function openDatabase(path: string): Db {
  const memory = path === ":memory:"
  const file = memory ? path : resolve(path)
  let db: Db
  try {
    if (!memory) mkdirSync(dirname(file), { recursive: true })
    db = new Database(file)
    db.pragma("journal_mode = WAL")
    db.pragma("foreign_keys = ON")
    db.pragma("busy_timeout = 5000")
    db.pragma("synchronous = NORMAL")
  } catch (err) {
    throw new StorageError(
      `Cannot open the database at ${file}: ${(err as Error).message}. ` +
        `Set storage.path in the config (or SWITCHBOARD_DB) to a writable file location.`,
      { cause: err },
    )
  }
  migrate(db)
  return db
}

export function schemaVersion(db: Db): number {
  return db.pragma("user_version", { simple: true }) as number
}

function migrate(db: Db): void {
  const current = schemaVersion(db)
  if (current > MIGRATIONS.length) {
    throw new StorageError(
      `The database schema (version ${current}) is newer than this Switchboard (knows ${MIGRATIONS.length}). Upgrade Switchboard or use another database file.`,
    )
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}
