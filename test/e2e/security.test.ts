// Safe by default, end to end: the real OpenCode server configured to allow everything, the real
// @mattermost/client, the fake Mattermost. Consent comes from the relay (nothing runs before an
// approver clicks, subagents included), "Always" is scoped and kept by the relay, access rules
// hold (channel names, DMs, webhooks, unknown users), signed contexts stay on their post, and
// agent output cannot ping a whole channel.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bash, text, tool } from "../harness/model-server/index.ts"
import { startMattermostRelay, type MattermostRelay } from "../harness/mattermost-relay.ts"


describe("a runtime whose own config allows everything", () => {
  let h: MattermostRelay
  let dave: MattermostRelay["alice"]
  /** Every reply the runtime got, as the store saw it: the relay must never say "always". */
  const replies: string[] = []

  beforeAll(async () => {
    h = await startMattermostRelay({
      runtimePermission: "allow",
      timeoutSeconds: 60,
      access: { approve: { users: ["carol"] }, admin: { users: ["dave"] }, direct: { users: ["alice"] }, channels: { restricted: { prompt: { users: ["carol"] } } } },
    })
    dave = h.mm.addUser({ username: "dave" })
    for (const id of [dave.id]) h.mm.addChannelMember(h.channel.id, id)
    await h.start()
    h.relay.store.events.on("permission.resolved", (_r, outcome) => {
      if (outcome.kind === "replied" && "reply" in outcome) replies.push(outcome.reply)
    })
  })
  afterAll(async () => {
    await h?.close()
  })

  const ask = (root: string) => h.mm.waitFor(() => h.buttonsIn(root), { what: "permission buttons" })
  const button = (a: { actions: Array<{ id: string; name: string }> }, name: string) => a.actions.find((x) => x.name === name)!.id

  it("bash still asks, and nothing runs until an approver clicks", async () => {
    const file = join(h.projectDir, "ran-before-click.txt")
    const marker = h.model.script([bash(`touch ${file}`), text("Touched it.")])
    const root = h.say(h.alice, `@switchboard ${marker} touch the file`)
    const buttons = await ask(root.id)
    expect(buttons.post.message).toContain(`$ touch ${file}`)
    // The runtime is waiting on us: the command has not run, the model has not been asked again.
    expect(existsSync(file)).toBe(false)
    expect(h.model.requests.filter((r) => r.marker === marker)).toHaveLength(1)
    // The requester is not an approver here, so their own click does nothing.
    await h.mm.click(buttons.post.id, button(buttons, "Allow once"), h.alice.id)
    expect(h.mm.ephemerals(h.alice.id).at(-1)?.message).toBe("Only an approver can answer this request.")
    expect(existsSync(file)).toBe(false)
    const done = h.turnFinished(root.id)
    await h.mm.click(buttons.post.id, button(buttons, "Allow once"), h.carol.id)
    await done
    expect(existsSync(file)).toBe(true)
    expect(h.botPosts(root.id).map((p) => p.message).join("\n")).toContain("Touched it.")
  })

  it("a subagent cannot run a command unasked: OpenCode does not hand it the thread's rules, so it is off", async () => {
    const file = join(h.projectDir, "ran-by-subagent.txt")
    const child = h.model.script([bash(`touch ${file}`), text("child done")])
    const marker = h.model.script([tool("task", { description: "delegate", prompt: `${child} touch it`, subagent_type: "general" }), text("The subagent was not allowed.")])
    const root = h.say(h.alice, `@switchboard ${marker} delegate it`)
    await h.turnFinished(root.id)
    expect(existsSync(file)).toBe(false)
    expect(h.model.requests.some((r) => r.marker === child)).toBe(false)
    // The model was told, through the tool's error, and said so.
    expect(JSON.stringify(h.model.requests.filter((r) => r.marker === marker).at(-1)!.body.messages)).toMatch(/denied|not allowed|rule/i)
  })

  it("“Always here” covers this thread only; an admin's “Always in project” covers every thread and survives a restart", async () => {
    const a1 = h.model.script([bash("echo grant-a"), text("A ran.")])
    const rootA = h.say(h.alice, `@switchboard ${a1} thread A`)
    const askA = await ask(rootA.id)
    // "Always in project" is an administrator's to give.
    await h.mm.click(askA.post.id, button(askA, "Always in project"), h.carol.id)
    expect(h.mm.ephemerals(h.carol.id).at(-1)?.message).toMatch(/Only an administrator can allow this for the whole project/)
    let done = h.turnFinished(rootA.id)
    await h.mm.click(askA.post.id, button(askA, "Always here"), h.carol.id)
    await done
    expect(h.mm.post(askA.post.id)!.message).toContain("Always allowed in this thread by @carol")

    // The same kind of command in thread A now runs without asking…
    const a2 = h.model.script([bash("echo grant-a-again"), text("A ran again.")])
    done = h.turnFinished(rootA.id)
    h.say(h.alice, `${a2} again`, rootA.id)
    await done
    expect(h.botPosts(rootA.id).filter((p) => p.message.startsWith("🔐"))).toHaveLength(1)
    expect(h.botPosts(rootA.id).map((p) => p.message).join("\n")).toContain("A ran again.")

    // …but not in thread B.
    const b1 = h.model.script([bash("echo grant-b"), text("B ran.")])
    const rootB = h.say(h.bob, `@switchboard ${b1} thread B`)
    const askB = await ask(rootB.id)
    done = h.turnFinished(rootB.id)
    await h.mm.click(askB.post.id, button(askB, "Always in project"), dave.id)
    await done
    expect(h.mm.post(askB.post.id)!.message).toContain("Always allowed in this project by @dave")

    // The project grant covers a new thread, and outlives the relay.
    await h.stop()
    await h.start()
    const c1 = h.model.script([bash("echo grant-c"), text("C ran unasked.")])
    const rootC = h.say(h.bob, `@switchboard ${c1} thread C`)
    await h.turnFinished(rootC.id)
    expect(h.botPosts(rootC.id).some((p) => p.message.startsWith("🔐"))).toBe(false)
    expect(h.botPosts(rootC.id).map((p) => p.message).join("\n")).toContain("C ran unasked.")
    expect(h.relay.repos.grants.active(`mattermost:${h.channel.team_id}:${h.channel.id}:${rootC.id}`, h.projectDir).map((g) => [g.scope, g.patterns])).toEqual([["project", ["echo *"]]])
    // The runtime was only ever told "once": OpenCode's own "always" would be instance-wide.
    expect(replies.length).toBeGreaterThan(0)
    expect(new Set(replies)).toEqual(new Set(["once"]))
  })

  it("a rule keyed by channel name restricts that channel", async () => {
    const restricted = h.mm.addChannel({ teamId: h.channel.team_id, name: "restricted", type: "O", members: [h.mm.bot.id, h.alice.id, h.carol.id] })
    await h.stop() // channel names are resolved at start
    const config = { ...h.config, mattermost: { ...h.config.mattermost!, channels: ["agents", "restricted"] } }
    await h.start(config)
    const marker = h.model.script([text("Carol may.")])
    const refused = h.mm.postAs(h.alice.id, { channel_id: restricted.id, message: "@switchboard let me" })
    const allowed = h.mm.postAs(h.carol.id, { channel_id: restricted.id, message: `@switchboard ${marker} me too` })
    await h.mm.waitFor(() => h.botPosts(allowed.id).some((p) => p.message.includes("Carol may.")), { what: "carol's answer" })
    await h.mm.waitFor(() => h.mm.ephemerals(h.alice.id).some((e) => e.root_id === refused.id), { what: "alice's refusal" })
    expect(h.mm.ephemerals(h.alice.id).find((e) => e.root_id === refused.id)!.message).toMatch(/not allowed to start or continue/)
    expect(h.botPosts(refused.id)).toHaveLength(0)
  })

  it("DMs only from the allow-list; webhook posts are not their owner's prompts; an unknown clicker is refused", async () => {
    const fromBob = h.mm.postAs(h.bob.id, { channel_id: h.mm.directChannel(h.bob.id, h.mm.bot.id).id, message: "let me in through the side door" })
    await h.mm.waitFor(() => h.mm.ephemerals(h.bob.id).some((e) => e.channel_id === fromBob.channel_id), { what: "bob's DM refusal" })
    expect(h.mm.ephemerals(h.bob.id).find((e) => e.channel_id === fromBob.channel_id)!.message).toMatch(/not allowed/)
    const dm = h.model.script([text("Hello alice.")])
    const dmChannel = h.mm.directChannel(h.alice.id, h.mm.bot.id).id
    h.mm.postAs(h.alice.id, { channel_id: dmChannel, message: `${dm} hi` })
    await h.mm.waitFor(() => h.mm.posts({ channelId: dmChannel }).some((p) => p.user_id === h.mm.bot.id && p.message.includes("Hello alice.")), { what: "the DM answer" })

    // A webhook runs under carol's account (an approver!) but is not carol: ignored.
    const hook = h.model.script([text("Should never be said.")])
    const hooked = h.mm.postAsWebhook(h.carol.id, { channel_id: h.channel.id, message: `@switchboard ${hook} deploy`, username: "ci" })
    const sentinel = h.model.script([text("Sentinel answered.")])
    const after = h.say(h.alice, `@switchboard ${sentinel} after the webhook`)
    await h.mm.waitFor(() => h.botPosts(after.id).some((p) => p.message.includes("Sentinel answered.")), { what: "the sentinel answer" })
    expect(h.botPosts(hooked.id)).toHaveLength(0)
    expect(h.model.requests.some((r) => r.marker === hook)).toBe(false)

    // A genuine signed context, clicked by a user id the server does not know.
    const marker = h.model.script([bash("printf ghost"), text("no")])
    const root = h.say(h.alice, `@switchboard ${marker} ghost`)
    const buttons = await ask(root.id)
    const allow = button(buttons, "Allow once")
    const res = await fetch(h.mm.callbackUrlOf(buttons.post.id, allow), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: "ghost0000000000000000000000", post_id: buttons.post.id, trigger_id: "ghost-trigger", type: "button", context: h.mm.contextOf(buttons.post.id, allow) }),
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { ephemeral_text?: string }).ephemeral_text).toBe("Only an approver can answer this request.")
    expect(h.relay.store.pending().permissions.map((p) => p.metadata.command)).toContain("printf ghost")
    // …and a context moved onto another post of the bot's is refused as well.
    const other = h.botPosts(after.id)[0]!
    const moved = await fetch(h.mm.callbackUrlOf(buttons.post.id, allow), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: h.carol.id, post_id: other.id, trigger_id: "moved-trigger", type: "button", context: h.mm.contextOf(buttons.post.id, allow) }),
    })
    expect(moved.status).toBe(403)
    const done = h.turnFinished(root.id)
    await h.mm.click(buttons.post.id, button(buttons, "Reject"), h.carol.id)
    await done
  })

  it("agent output with @channel and @all pings nobody", async () => {
    const marker = h.model.script([text("Heads up @channel and @all: the deploy is done. `@here` in code stays as written.")])
    const root = h.say(h.alice, `@switchboard ${marker} announce it`)
    await h.turnFinished(root.id)
    const post = h.botPosts(root.id).find((p) => p.message.includes("Heads up"))!
    expect(post.message).toContain("＠channel and ＠all")
    expect(post.message).toContain("`@here`")
    expect(h.mm.mentionsOf(post.id)).toEqual([])
  })
})

describe("the embedded runtime, started by the relay process with the user's own (permissive) config", () => {
  let h: MattermostRelay
  let runtime: { url: string; pid: number }

  beforeAll(async () => {
    h = await startMattermostRelay({ embedded: true, timeoutSeconds: 60 })
    await h.startProcess()
    const line = /"url":"([^"]+)","pid":(\d+),"msg":"embedded OpenCode server is up/.exec(h.processOutput())
    if (!line) throw new Error(`no embedded runtime in the relay's log:\n${h.processOutput().slice(-2000)}`)
    runtime = { url: line[1]!, pid: Number(line[2]) }
  })
  afterAll(async () => {
    await h?.close()
  })

  it("answers 401 without its password", async () => {
    expect((await fetch(`${runtime.url}/session`)).status).toBe(401)
    expect((await fetch(`${runtime.url}/global/health`, { headers: { authorization: `Basic ${Buffer.from("opencode:guess").toString("base64")}` } })).status).toBe(401)
  })

  it("after approval, `env` shows the agent no bot token, signing secret or runtime password", async () => {
    // The runtime's own password, as its process environment holds it (root may read it).
    const { readFileSync } = await import("node:fs")
    const environ = readFileSync(`/proc/${runtime.pid}/environ`, "utf8").split("\0")
    const password = environ.find((e) => e.startsWith("OPENCODE_SERVER_PASSWORD="))!.slice("OPENCODE_SERVER_PASSWORD=".length)
    expect(password.length).toBeGreaterThan(20)
    const marker = h.model.script([bash("env"), text("Printed the environment.")])
    const root = h.say(h.alice, `@switchboard ${marker} show the env`)
    const buttons = await h.mm.waitFor(() => h.buttonsIn(root.id), { what: "permission buttons", timeoutMs: 60_000 })
    await h.mm.click(buttons.post.id, buttons.actions.find((a) => a.name === "Allow once")!.id, h.carol.id)
    const followUp = await h.model.waitForRequest((r) => r.marker === marker && r.turn === 1)
    const output = JSON.stringify(followUp.body.messages.at(-1))
    expect(output).toContain("PATH=") // it is the env output
    for (const secret of [h.secrets.token, h.secrets.secret, h.secrets.runtimePassword, password]) expect(output).not.toContain(secret)
    expect(output).not.toMatch(/MATTERMOST_|SWITCHBOARD_/)
  })

  it("a subagent asks too: the relay's rules reach the runtime's agents", async () => {
    const file = join(h.projectDir, "ran-by-embedded-subagent.txt")
    const child = h.model.script([bash(`touch ${file}`), text("child done")])
    const marker = h.model.script([tool("task", { description: "delegate", prompt: `${child} touch it`, subagent_type: "general" }), text("Delegated.")])
    const root = h.say(h.alice, `@switchboard ${marker} delegate it`)
    const buttons = await h.mm.waitFor(() => h.buttonsIn(root.id), { what: "the subagent's permission buttons", timeoutMs: 60_000 })
    expect(buttons.post.message).toContain(`$ touch ${file}`)
    expect(existsSync(file)).toBe(false)
    await h.mm.click(buttons.post.id, buttons.actions.find((a) => a.name === "Allow once")!.id, h.carol.id)
    await h.mm.waitFor(() => existsSync(file) && h.botPosts(root.id).some((p) => p.message.includes("Delegated.")), { what: "the delegated answer", timeoutMs: 60_000 })
  })
})

describe("a runtime that drops the rules of sessions the relay creates", () => {
  it("is refused at start with a clear error", async () => {
    const { startRuntimeProxy } = await import("../harness/runtime-proxy.ts")
    const h = await startMattermostRelay({})
    const proxy = await startRuntimeProxy(h.opencode!.url, { dropSessionRules: true })
    try {
      const config = { ...h.config, runtime: { ...h.config.runtime, url: proxy.url } }
      await expect(h.start(config)).rejects.toThrow(/Refusing to serve: sessions the relay creates .* would not ask/)
    } finally {
      await proxy.close()
      await h.close()
    }
  })
})
