// JSON read back from SQLite is an edge like any other: parsed, validated with its zod schema,
// and a row that does not fit fails with a StorageError naming the column, instead of a value
// of the wrong shape travelling on.
import type { z } from "zod"
import { StorageError } from "./db.ts"

export function jsonColumn<T>(column: string, schema: z.ZodType<T>) {
  return {
    schema,
    parse(text: string): T {
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch (err) {
        throw new StorageError(`${column} holds text that is not JSON; the database may be damaged`, { cause: err })
      }
      const result = schema.safeParse(value)
      if (!result.success) throw new StorageError(`${column} holds JSON of an unexpected shape: ${result.error.issues[0]?.message ?? "invalid"}`)
      return result.data
    },
  }
}
