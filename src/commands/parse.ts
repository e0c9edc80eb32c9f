// `!status`, `!new fix the tests`: a prefix, a word, then free arguments.

export interface ParsedCommand {
  name: string
  args: string
}

export function parseCommand(text: string, prefix: string): ParsedCommand | undefined {
  const t = text.trimStart()
  if (!prefix || !t.startsWith(prefix)) return undefined
  const m = /^([A-Za-z][\w-]{0,31})(?:\s+([\s\S]*))?$/.exec(t.slice(prefix.length))
  if (!m) return undefined
  return { name: m[1]!.toLowerCase(), args: (m[2] ?? "").trim() }
}
