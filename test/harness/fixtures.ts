// Loads the recorded event streams in test/fixtures/events (see record-fixtures.ts).
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseEventData, type RuntimeEvent } from "../../src/runtime/events.ts"
import type { Expected } from "./record-fixtures.ts"

const DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "events")

export interface Fixture {
  name: string
  /** Raw SSE data payloads as received. */
  lines: string[]
  /** Parsed events the relay keeps (ignored and `sync` frames dropped). */
  events: RuntimeEvent[]
  expected: Expected
}

export function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => f.slice(0, -".jsonl".length))
    .sort()
}

export function loadFixture(name: string): Fixture {
  const lines = readFileSync(join(DIR, `${name}.jsonl`), "utf8").split("\n").filter((l) => l.length > 0)
  const events = lines.map(parseEventData).filter((e): e is RuntimeEvent => e !== null)
  const expected = JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), "utf8")) as Expected
  return { name, lines, events, expected }
}
