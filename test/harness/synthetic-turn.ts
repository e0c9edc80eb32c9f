// A turn that grows over time the way an agent's answer does — text with code fences, a tool
// call in the middle (running, then done), more text, a footer — for delivery tests and the
// benchmark. `advance` moves the stream forward; `blocks()` renders its current state.
import type { Block } from "../../src/delivery/render/blocks.ts"

export interface SyntheticTurnOptions {
  /** Approximate size of the final answer in characters. */
  size: number
  /** Characters per delta. */
  delta?: number
  seed?: number
}

function rng(seed: number) {
  let x = seed || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
}

function prose(random: () => number, size: number): string {
  const words = ["agent", "relay", "thread", "stream", "edit", "budget", "fence", "markdown", "tool", "session", "émoji", "🚀", "naïve", "test"]
  const parts: string[] = []
  let len = 0
  let para = 0
  while (len < size) {
    if (para % 5 === 3) {
      const lines = Array.from({ length: 4 + Math.floor(random() * 12) }, (_, i) => `  const v${i} = compute(${i}) // step ${i}`)
      const block = "```ts\nfunction step() {\n" + lines.join("\n") + "\n}\n```"
      parts.push(block)
      len += block.length + 2
    } else {
      const n = 20 + Math.floor(random() * 60)
      const sentence = Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(" ")
      const p = `Paragraph ${para}: ${sentence}.`
      parts.push(p)
      len += p.length + 2
    }
    para++
  }
  return parts.join("\n\n")
}

export class SyntheticTurn {
  readonly before: string
  readonly after: string
  private shownBefore = 0
  private shownAfter = 0
  private tool: "none" | "running" | "done" = "none"
  private ended = false
  private readonly step: number

  constructor(opts: SyntheticTurnOptions) {
    const random = rng(opts.seed ?? 7)
    this.before = prose(random, Math.floor(opts.size / 2))
    this.after = prose(random, Math.ceil(opts.size / 2))
    this.step = opts.delta ?? 24
  }

  get done(): boolean {
    return this.ended
  }

  /** One delta: text grows; the tool runs between the halves. Returns false when over. */
  advance(): boolean {
    if (this.ended) return false
    if (this.shownBefore < this.before.length) this.shownBefore = Math.min(this.before.length, this.shownBefore + this.step)
    else if (this.tool === "none") this.tool = "running"
    else if (this.tool === "running") this.tool = "done"
    else if (this.shownAfter < this.after.length) this.shownAfter = Math.min(this.after.length, this.shownAfter + this.step)
    else this.ended = true
    return true
  }

  blocks(): Block[] {
    const out: Block[] = []
    if (this.shownBefore > 0) out.push({ kind: "text", key: "t1", text: this.before.slice(0, this.shownBefore), catchingUp: false })
    if (this.tool !== "none") out.push({ kind: "tool", key: "call1", tool: "bash", status: this.tool === "done" ? "done" : "running", title: "$ npm test" })
    if (this.shownAfter > 0) out.push({ kind: "text", key: "t2", text: this.after.slice(0, this.shownAfter), catchingUp: false })
    if (this.ended) out.push({ kind: "footer", key: "footer", model: "fake-model", durationMs: 12_300, tokens: 4_321, cost: 0.0123 })
    return out
  }
}
