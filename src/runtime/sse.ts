// Server-Sent Events bytes → the `data` of each event, through eventsource-parser (the spec's
// rules: multi-line data, CRLF, comments, split chunks). OpenCode sends only `data:` lines;
// `event:`, `id:` and `retry:` carry nothing it uses. This wrapper only adds UTF-8 decoding
// across chunk boundaries and a per-push callback.
import { createParser, type EventSourceParser } from "eventsource-parser"

export class SseDecoder {
  private readonly text = new TextDecoder()
  private readonly parser: EventSourceParser
  private sink: ((data: string) => void) | undefined

  constructor() {
    this.parser = createParser({ onEvent: (event) => this.sink?.(event.data) })
  }

  /** Feeds a chunk; calls `onData` for every complete event. */
  push(chunk: Uint8Array, onData: (data: string) => void): void {
    this.sink = onData
    this.parser.feed(this.text.decode(chunk, { stream: true }))
  }
}
