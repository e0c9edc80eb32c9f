// The name of a thread a platform opens for a new conversation (ChatAdapter.openThread): the
// request's first line, as a person would title it. Adapters cut it to their own limit.

const MAX = 80
const FALLBACK = "OpenCode session"

export function threadName(text: string): string {
  const line = text
    .split("\n")
    .map((l) => l.replace(/[`*_~>#]+/g, "").replace(/\s+/g, " ").trim())
    .find((l) => l.length > 0)
  if (!line) return FALLBACK
  if (line.length <= MAX) return line
  const cut = line.slice(0, MAX - 1)
  const space = cut.lastIndexOf(" ")
  return `${(space > MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}
