// Minimal Server-Sent Events decoder: bytes in, the `data` of each event out. OpenCode sends
// only `data:` lines, but we follow the spec (multi-line data, CRLF, comments) so a proxy in
// between cannot confuse us.

export class SseDecoder {
  private buffer = ""
  private data: string[] = []
  private readonly decoder = new TextDecoder()

  /** Feeds a chunk; calls `onData` for every complete event. */
  push(chunk: Uint8Array, onData: (data: string) => void): void {
    this.buffer += this.decoder.decode(chunk, { stream: true })
    let start = 0
    for (;;) {
      const nl = this.buffer.indexOf("\n", start)
      if (nl < 0) break
      let end = nl
      if (end > start && this.buffer.charCodeAt(end - 1) === 13) end--
      this.line(this.buffer.slice(start, end), onData)
      start = nl + 1
    }
    if (start > 0) this.buffer = this.buffer.slice(start)
  }

  private line(line: string, onData: (data: string) => void): void {
    if (line.length === 0) {
      if (this.data.length === 0) return
      const data = this.data.length === 1 ? this.data[0]! : this.data.join("\n")
      this.data = []
      onData(data)
      return
    }
    if (line.charCodeAt(0) === 58 /* ':' comment */) return
    if (line.startsWith("data:")) {
      this.data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5))
    }
    // `event:`, `id:` and `retry:` carry nothing OpenCode uses.
  }
}
