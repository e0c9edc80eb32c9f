// Button contexts the relay signs and later verifies: `{action, post, exp, sig}` with
// sig = HMAC-SHA256(secret, action + "|" + post + "|" + exp) in hex. Mattermost sends no
// signature of its own, so this is what proves a callback came from a button we made, on the
// post we put it on, before the request's deadline. The action id names the request
// (`sb:<requestID>:<choice>`), so request, post and deadline are all bound.
import { createHmac, timingSafeEqual } from "node:crypto"

export interface SignedContext {
  /** Our opaque OutMessage action (or select) id. */
  action: string
  /** The post the button is on. */
  post: string
  /** Expiry, epoch seconds: the request's deadline. */
  exp: number
  sig: string
}

export type Verdict =
  | { ok: true }
  | { ok: false; kind: "forged" | "moved"; status: 401 | 403; error: string }
  | { ok: false; kind: "expired"; status: 200; error: string }

function digest(secret: string, action: string, post: string, exp: number): Buffer {
  return createHmac("sha256", secret).update(`${action}|${post}|${exp}`).digest()
}

export function signContext(secret: string, action: string, post: string, expiresAtMs: number): SignedContext {
  const exp = Math.floor(expiresAtMs / 1000)
  return { action, post, exp, sig: digest(secret, action, post, exp).toString("hex") }
}

/**
 * Signature first (constant time), then the post it was clicked on, then expiry: a forged
 * context learns nothing about timing, and a context copied onto another post is refused.
 */
export function verifyContext(secret: string, ctx: SignedContext, clickedPost: string, nowMs: number): Verdict {
  const expected = digest(secret, ctx.action, ctx.post, ctx.exp)
  const given = /^[0-9a-f]+$/i.test(ctx.sig) ? Buffer.from(ctx.sig, "hex") : Buffer.alloc(0)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, kind: "forged", status: 401, error: "button context signature does not match; the callback was not made by this relay" }
  }
  if (ctx.post !== clickedPost) {
    return { ok: false, kind: "moved", status: 403, error: "button context belongs to another post; nothing was done" }
  }
  if (ctx.exp * 1000 < nowMs) {
    return { ok: false, kind: "expired", status: 200, error: "These buttons have expired: the request was answered automatically at its deadline." }
  }
  return { ok: true }
}
