// Reads a download's body with a size cap enforced while reading: past `maxBytes` the
// transfer is cancelled and a ChatError `too_large` is thrown, so a file that lies about its
// size (or has none) is never buffered whole. Every adapter's ChatFile.fetch uses this.
import { ChatError } from "./errors.ts"

export async function readCapped(platform: string, what: string, res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length"))
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {})
    throw new ChatError(platform, "too_large", `${what}: ${declared} bytes is over the ${maxBytes}-byte limit`)
  }
  if (!res.body) return new Uint8Array(0)
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw new ChatError(platform, "too_large", `${what}: more than the ${maxBytes}-byte limit`)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}
