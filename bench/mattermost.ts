// Mattermost end to end, in real time: the relay wired from config against real OpenCode and
// the fake Mattermost. For a fixed scripted answer: how long from the mention until the first
// answer text is visible, and how many edits one answer takes.
import { text } from "../test/harness/model-server/index.ts"
import { startMattermostRelay } from "../test/harness/mattermost-relay.ts"

export interface MattermostFigures {
  firstTextMsMedian: number
  firstTextMsMax: number
  editsPerAnswer: number
  postsPerAnswer: number
  answers: number
  answerChars: number
}

const ANSWER = Array.from({ length: 24 }, (_, i) => `Step ${i + 1}: the relay streams this answer into Mattermost as it is written.`).join("\n\n")

export async function runMattermostBench(rounds = 5): Promise<MattermostFigures> {
  // The Mattermost client library logs connection chatter with console.log; keep stdout for figures.
  const log = console.log
  console.log = () => {}
  const h = await startMattermostRelay().catch((err: unknown) => {
    console.log = log
    throw err
  })
  try {
    await h.start().finally(() => (console.log = log))
    const first: number[] = []
    let edits = 0
    let posts = 0
    for (let i = 0; i < rounds; i++) {
      const marker = h.model.script([text(ANSWER, { chunk: 12, delayMs: 20 })])
      const started = performance.now()
      const root = h.say(h.alice, `@switchboard ${marker} go`)
      await h.mm.waitFor(() => h.botPosts(root.id).some((p) => p.message.startsWith("Step 1")), { timeoutMs: 60_000 })
      first.push(performance.now() - started)
      await h.mm.waitFor(() => /_fake-model · /.test(h.botPosts(root.id).at(-1)?.message ?? ""), { timeoutMs: 60_000 })
      const ids = new Set(h.botPosts(root.id).map((p) => p.id))
      posts += ids.size
      edits += h.mm.requests().filter((r) => r.method === "PUT" && r.status === 200 && [...ids].some((id) => r.path.includes(`/posts/${id}/patch`))).length
    }
    const sorted = [...first].sort((a, b) => a - b)
    return {
      firstTextMsMedian: Math.round(sorted[Math.floor(sorted.length / 2)]!),
      firstTextMsMax: Math.round(sorted.at(-1)!),
      editsPerAnswer: Number((edits / rounds).toFixed(1)),
      postsPerAnswer: Number((posts / rounds).toFixed(1)),
      answers: rounds,
      answerChars: ANSWER.length,
    }
  } finally {
    console.log = () => {}
    await h.close()
    console.log = log
  }
}
