// Access rules, table-driven: defaults are safe, the owner may approve, lists and groups and
// per-channel rules do what they say, bots are ignored unless allowed.
import { describe, expect, it } from "vitest"
import { check, type AccessConfig, type Capability } from "../../src/core/access/rules.ts"
import type { ChatUser } from "../../src/chat/types.ts"

const alice: ChatUser = { id: "U1", name: "alice", isBot: false }
const bob: ChatUser = { id: "U2", name: "bob", isBot: false, groups: ["system_user"] }
const root: ChatUser = { id: "U3", name: "root", isBot: false, groups: ["system_admin", "system_user"] }
const ci: ChatUser = { id: "B1", name: "ci-bot", isBot: true }

const config: AccessConfig = {
  approve: { users: ["@Bob"] },
  admin: { groups: ["system_admin"] },
  channels: {
    C9: { prompt: { users: ["U1"] }, approve: { users: [] } },
    "release-ops": { prompt: { groups: ["release"] } },
  },
  allowBots: ["ci-bot"],
}

const cases: Array<[string, AccessConfig, Capability, ChatUser, { channel: string; channelName?: string; ownerID?: string }, boolean, string]> = [
  ["anyone may prompt by default", {}, "prompt", alice, { channel: "C1" }, true, "everyone"],
  ["nobody but the owner approves by default", {}, "approve", alice, { channel: "C1", ownerID: "U2" }, false, "not-listed"],
  ["the thread owner approves", {}, "approve", alice, { channel: "C1", ownerID: "U1" }, true, "owner"],
  ["a listed approver (name, case and @ ignored)", config, "approve", bob, { channel: "C1", ownerID: "U1" }, true, "user"],
  ["admins approve everywhere", config, "approve", root, { channel: "C1", ownerID: "U1" }, true, "admin"],
  ["a channel rule replaces the global one", config, "approve", bob, { channel: "C9", ownerID: "U1" }, false, "not-listed"],
  ["a channel rule by id", config, "prompt", bob, { channel: "C9" }, false, "not-listed"],
  ["a channel rule by id lets the listed user", config, "prompt", alice, { channel: "C9" }, true, "user"],
  ["a channel rule by name, by group", config, "prompt", alice, { channel: "C7", channelName: "release-ops" }, false, "not-listed"],
  ["nobody administers by default", {}, "admin", root, { channel: "C1" }, false, "not-listed"],
  ["bots are refused", {}, "prompt", ci, { channel: "C1" }, false, "bot"],
  ["an allowed bot is treated as a user", config, "prompt", ci, { channel: "C1" }, true, "everyone"],
]

describe("access rules", () => {
  it.each(cases)("%s", (_name, cfg, capability, user, ctx, allowed, reason) => {
    expect(check(cfg, capability, { user, ...ctx })).toEqual({ allowed, reason })
  })
})
