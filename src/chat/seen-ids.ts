// A bounded memory of ids already handled (events delivered, click trigger ids used): the
// oldest are forgotten first, so memory stays flat however long the process runs.
import { LRUCache } from "lru-cache"

export class SeenIds {
  private readonly ids: LRUCache<string, true>

  constructor(max: number) {
    this.ids = new LRUCache({ max })
  }

  has(id: string): boolean {
    return this.ids.has(id)
  }

  /** Records `id`; false when it was already there. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false
    this.ids.set(id, true)
    return true
  }

  delete(id: string): void {
    this.ids.delete(id)
  }
}
