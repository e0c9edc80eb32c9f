// What of a running turn can go into an append-only native stream: only what will not change
// in place. Text grows at its end, and a finished tool's line is final; a pending or running
// tool will change its line, so the preview stops before it (what follows it comes later, in
// order). Todos move and change, reasoning previews are clipped, notices come and go, and the
// footer needs the turn's end: those are skipped here and reach the person in the final update.
import type { Block } from "./blocks.ts"

export function previewBlocks(blocks: readonly Block[]): Block[] {
  const out: Block[] = []
  for (const b of blocks) {
    if (b.kind === "text") {
      // A part frozen by a reconnect shows a note after it: nothing after that is append-only.
      if (b.catchingUp) break
      out.push(b)
    } else if (b.kind === "tool") {
      if (b.status === "pending" || b.status === "running") break
      out.push(b)
    }
  }
  return out
}
