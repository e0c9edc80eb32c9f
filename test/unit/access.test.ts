// Access rules, table-driven: defaults are safe, users match by id (config names resolved to
// ids), an unknown user fails closed, DMs have their own rule, per-channel rules work by id and
// by name, bots and webhooks are ignored unless allowed, and the owner approves only while no
// approvers are configured (or `ownersApprove` says so).
import { describe, expect, it } from "vitest"
import type { ChatUser, Space } from "../../src/chat/types.ts"
import type { ResolvedNames } from "../../src/core/access/names.ts"
import { check, type AccessConfig, type Capability } from "../../src/core/access/rules.ts"

const alice: ChatUser = { id: "U1", name: "alice", isBot: false }
const bob: ChatUser = { id: "U2", name: "bob", isBot: false, groups: ["system_user"] }
const root: ChatUser = { id: "U3", name: "root", isBot: false, groups: ["system_admin", "system_user"] }
const ci: ChatUser = { id: "B1", name: "ci-bot", isBot: true }
const hook: ChatUser = { id: "webhook:U1", name: "alice", isBot: true, webhook: true }
const ghost: ChatUser = { id: "U404", isBot: false, unknown: true }
/** Renamed themselves to the approver's name: names never grant anything. */
const impostor: ChatUser = { id: "U9", name: "bob", isBot: false }

/** What the platform answered at start: `bob` is U2, `release-ops` is channel C7, `ci-bot` is B1. */
const names: ResolvedNames = {
  user: (platform, entry) => (platform === "mm" ? ({ "@Bob": "U2", bob: "U2", "ci-bot": "B1" } as Record<string, string>)[entry] : undefined),
  channel: (platform, key) => (platform === "mm" && key === "release-ops" ? "C7" : undefined),
}

const config: AccessConfig = {
  approve: { users: ["@Bob"] },
  admin: { groups: ["system_admin"] },
  channels: {
    C9: { prompt: { users: ["U1"] }, approve: { users: [] } },
    "release-ops": { prompt: { groups: ["release"] } },
    "#general": { prompt: { users: ["U2"] } },
  },
  allowBots: ["ci-bot"],
}

type Ctx = { channel: string; channelName?: string; ownerID?: string; space?: Space; platform?: string }

const cases: Array<[string, AccessConfig, Capability, ChatUser, Ctx, boolean, string]> = [
  ["anyone may prompt in a channel by default", {}, "prompt", alice, { channel: "C1" }, true, "everyone"],
  ["nobody but the owner approves by default", {}, "approve", alice, { channel: "C1", ownerID: "U2" }, false, "not-listed"],
  ["without approvers the thread owner approves", {}, "approve", alice, { channel: "C1", ownerID: "U1" }, true, "owner"],
  ["with approvers configured the owner does not", config, "approve", alice, { channel: "C1", ownerID: "U1" }, false, "not-listed"],
  ["…unless the config says owners approve", { ...config, ownersApprove: true }, "approve", alice, { channel: "C1", ownerID: "U1" }, true, "owner"],
  ["a listed approver, by the id their name resolved to", config, "approve", bob, { channel: "C1", ownerID: "U1" }, true, "user"],
  ["a name is not an identity: someone renamed to it is refused", config, "approve", impostor, { channel: "C1", ownerID: "U1" }, false, "not-listed"],
  ["names resolve per platform: not on another one", config, "approve", bob, { channel: "C1", ownerID: "U1", platform: "slack" }, false, "not-listed"],
  ["admins approve everywhere", config, "approve", root, { channel: "C1", ownerID: "U1" }, true, "admin"],
  ["a channel rule replaces the global one", config, "approve", bob, { channel: "C9", ownerID: "U1" }, false, "not-listed"],
  ["a channel rule by id", config, "prompt", bob, { channel: "C9" }, false, "not-listed"],
  ["a channel rule by id lets the listed user", config, "prompt", alice, { channel: "C9" }, true, "user"],
  ["a channel rule by name, resolved to its id at start", config, "prompt", alice, { channel: "C7" }, false, "not-listed"],
  ["a channel rule by name the event carries (#name)", config, "prompt", alice, { channel: "C5", channelName: "general" }, false, "not-listed"],
  ["…which lets the listed user", config, "prompt", bob, { channel: "C5", channelName: "general" }, true, "user"],
  ["DMs are off by default", {}, "prompt", alice, { channel: "D1", space: "direct" }, false, "direct-off"],
  ["group DMs too", {}, "prompt", alice, { channel: "G1", space: "group" }, false, "direct-off"],
  ["the DM rule lets listed users", { direct: { users: ["U1"] } }, "prompt", alice, { channel: "D1", space: "direct" }, true, "user"],
  ["…and only them", { direct: { users: ["U1"] } }, "prompt", bob, { channel: "D1", space: "direct" }, false, "not-listed"],
  ["channel rules do not open DMs", { channels: { D1: { prompt: { everyone: true } } } }, "prompt", alice, { channel: "D1", space: "direct" }, false, "direct-off"],
  ["nobody administers by default", {}, "admin", root, { channel: "C1" }, false, "not-listed"],
  ["bots are refused", {}, "prompt", ci, { channel: "C1" }, false, "bot"],
  ["an allowed bot is treated as a user", config, "prompt", ci, { channel: "C1" }, true, "everyone"],
  ["a webhook post is not its owner speaking", {}, "prompt", hook, { channel: "C1" }, false, "bot"],
  ["an unknown user fails closed, even where everyone may", {}, "prompt", ghost, { channel: "C1" }, false, "unknown-user"],
  ["…and may not approve their own thread", {}, "approve", ghost, { channel: "C1", ownerID: "U404" }, false, "unknown-user"],
]

describe("access rules", () => {
  it.each(cases)("%s", (_name, cfg, capability, user, ctx, allowed, reason) => {
    const { space = "channel", platform = "mm", ...rest } = ctx
    expect(check(cfg, capability, { user, platform, space, ...rest }, names)).toEqual({ allowed, reason })
  })
})
