// A bounded memory of ids already handled (posts delivered, callback trigger ids used): the oldest
// are forgotten first, so memory stays flat however long the process runs.
export class SeenIds {
  private readonly ids = new Set<string>()
  private readonly max: number

  constructor(max: number) {
    this.max = max
  }

  has(id: string): boolean {
    return this.ids.has(id)
  }

  /** Records `id`; false when it was already there. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false
    this.ids.add(id)
    if (this.ids.size > this.max) {
      const oldest = this.ids.values().next()
      if (!oldest.done) this.ids.delete(oldest.value)
    }
    return true
  }

  delete(id: string): void {
    this.ids.delete(id)
  }
}
