// Button contexts the relay signs and later verifies: `{action, exp, sig}` with
// sig = HMAC-SHA256(secret, action + "|" + exp) in hex. Mattermost sends no signature of its own,
// so this is what proves a callback came from a button we made and is not stale.
import { createHmac, timingSafeEqual } from "node:crypto"

export interface SignedContext {
  /** Our opaque OutMessage action (or select) id. */
  action: string
  /** Expiry, epoch seconds. */
  exp: number
  sig: string
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; error: string }

function digest(secret: string, action: string, exp: number): Buffer {
  return createHmac("sha256", secret).update(`${action}|${exp}`).digest()
}

export function signContext(secret: string, action: string, ttlMs: number, nowMs: number): SignedContext {
  const exp = Math.floor((nowMs + ttlMs) / 1000)
  return { action, exp, sig: digest(secret, action, exp).toString("hex") }
}

/** Signature first (constant time), then expiry: a forged context learns nothing about timing. */
export function verifyContext(secret: string, ctx: SignedContext, nowMs: number): Verdict {
  const expected = digest(secret, ctx.action, ctx.exp)
  const given = /^[0-9a-f]+$/i.test(ctx.sig) ? Buffer.from(ctx.sig, "hex") : Buffer.alloc(0)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, status: 401, error: "button context signature does not match; the callback was not made by this relay" }
  }
  if (ctx.exp * 1000 < nowMs) {
    const ago = Math.round(nowMs / 1000 - ctx.exp)
    return { ok: false, status: 403, error: `button context expired ${ago} s ago; ask for a fresh message` }
  }
  return { ok: true }
}
