import { describe, expect, expectTypeOf, it } from "vitest"
import { Emitter } from "../../src/core/store/emitter.ts"

interface Events {
  ping: [n: number]
  pair: [a: string, b: boolean]
}

describe("Emitter", () => {
  it("infers payloads, unsubscribes, and survives a throwing listener", () => {
    const errors: string[] = []
    const e = new Emitter<Events>((err, ev) => errors.push(`${String(ev)}:${(err as Error).message}`))
    const got: string[] = []
    const off = e.on("ping", (n) => {
      expectTypeOf(n).toEqualTypeOf<number>()
      got.push(`a${n}`)
    })
    e.on("ping", () => {
      throw new Error("boom")
    })
    e.on("ping", (n) => got.push(`c${n}`))
    e.on("pair", (a, b) => {
      expectTypeOf(a).toEqualTypeOf<string>()
      expectTypeOf(b).toEqualTypeOf<boolean>()
      got.push(`${a}${b}`)
    })
    e.emit("ping", 1)
    off()
    e.emit("ping", 2)
    e.emit("pair", "x", true)
    expect(got).toEqual(["a1", "c1", "c2", "xtrue"])
    expect(errors).toEqual(["ping:boom", "ping:boom"])
    // @ts-expect-error unknown event names do not type-check
    e.emit("pong", 1)
    // @ts-expect-error payloads are checked
    e.emit("ping", "1")
  })

  it("a listener removing itself during emit does not skip the next one", () => {
    const e = new Emitter<Events>()
    const got: number[] = []
    const off = e.on("ping", () => {
      got.push(1)
      off()
    })
    e.on("ping", () => got.push(2))
    e.emit("ping", 0)
    e.emit("ping", 0)
    expect(got).toEqual([1, 2, 2])
  })
})
