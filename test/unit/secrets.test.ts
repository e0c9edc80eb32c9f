// What keeps secrets with the relay: the embedded runtime's allow-listed environment, the
// shell-env plugin added to the operator's OpenCode config, log scrubbing (nested causes, URL
// credentials, registered values), and channel-wide mentions neutralised outside code.
import { Writable } from "node:stream"
import { describe, expect, it } from "vitest"
import { neutralizeMentions } from "../../adapters/mattermost/outbound.ts"
import { childEnv, checkPassEnv } from "../../src/runtime/child-env.ts"
import { configContent, SHELL_ENV_PLUGIN } from "../../src/runtime/embedded-config.ts"
import { createLogger, registerSecret } from "../../src/log/logger.ts"
import { scrub, scrubString } from "../../src/log/redact.ts"

describe("the embedded runtime's environment", () => {
  const source = {
    PATH: "/usr/bin",
    HOME: "/home/u",
    LANG: "C.UTF-8",
    LC_ALL: "C",
    XDG_CONFIG_HOME: "/home/u/.config",
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    ANTHROPIC_API_KEY: "sk-ant",
    AWS_SECRET_ACCESS_KEY: "aws",
    MATTERMOST_TOKEN: "mm-token",
    MATTERMOST_SECRET: "mm-secret",
    SWITCHBOARD_DB: "/data/x.db",
    OPENCODE_SERVER_PASSWORD: "relay-side",
  }
  it("passes the basics and the provider keys the operator names; never the relay's secrets", () => {
    const env = childEnv(source, { pass: ["ANTHROPIC_API_KEY"], set: { OPENCODE_SERVER_PASSWORD: "fresh" } })
    expect(env).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/u",
      LANG: "C.UTF-8",
      LC_ALL: "C",
      XDG_CONFIG_HOME: "/home/u/.config",
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      ANTHROPIC_API_KEY: "sk-ant",
      OPENCODE_SERVER_PASSWORD: "fresh",
    })
  })
  it("refuses to pass a relay secret even when listed", () => {
    expect(() => checkPassEnv(["MATTERMOST_TOKEN"])).toThrow(/the relay's own secrets never reach the agent/)
    expect(() => checkPassEnv(["SLACK_BOT_TOKEN", "OPENAI_API_KEY"])).toThrow(/SLACK_BOT_TOKEN/)
    expect(() => checkPassEnv(["OPENAI_API_KEY"])).not.toThrow()
  })
  it("adds the shell-env plugin to the operator's own OpenCode config, once", () => {
    const ours = `file://${SHELL_ENV_PLUGIN}`
    expect(JSON.parse(configContent(undefined))).toEqual({ plugin: [ours] })
    const merged = JSON.parse(configContent(JSON.stringify({ model: "a/b", plugin: ["opencode-wakatime"] })))
    expect(merged).toEqual({ model: "a/b", plugin: ["opencode-wakatime", ours] })
    expect(JSON.parse(configContent(JSON.stringify(merged))).plugin).toEqual(["opencode-wakatime", ours])
    expect(() => configContent("[1,2]")).toThrow(/not a JSON object/)
  })
})

describe("log scrubbing", () => {
  it("credentials in URLs, bearer headers and token shapes", () => {
    expect(scrubString("GET https://bot:hunter2@chat.example.com/api?token=abc123&x=1")).toBe("GET https://bot:[redacted]@chat.example.com/api?token=[redacted]&x=1")
    expect(scrubString("Authorization: Bearer abcdefghijklmnop")).toBe("Authorization: Bearer [redacted]")
    expect(scrubString("using xoxb-1234-5678-abcdefgh and xapp-1-A1-99999999")).toBe("using xox?-[redacted] and xapp-[redacted]")
  })
  it("secret keys at any depth, and error causes with their stacks", () => {
    const inner = new Error("connect to http://u:pw123456@db failed")
    const err = new Error("outer", { cause: inner }) as Error & { config?: unknown }
    err.config = { headers: { Authorization: "Basic dXNlcjpwYXNzd29yZA==" } }
    const out = scrub({ err, a: { b: { c: { d: { token: "t0ps3cret" } } } }, tokens: { input: 5 } }) as Record<string, unknown>
    const text = JSON.stringify(out)
    expect(text).not.toMatch(/pw123456|dXNlcjpwYXNzd29yZA|t0ps3cret/)
    expect(text).toContain('"tokens":{"input":5}') // token counts are not secrets
    expect((out.err as { cause: { message: string } }).cause.message).toBe("connect to http://u:[redacted]@db failed")
  })
  it("registered secret values never appear in a log line, message or field", () => {
    let written = ""
    const sink = new Writable({ write: (chunk, _enc, done) => ((written += String(chunk)), done()) })
    registerSecret("the-runtime-password-42")
    const log = createLogger({ destination: sink })
    log.error({ err: new Error("401 for the-runtime-password-42"), detail: "pw=the-runtime-password-42" }, "failed with the-runtime-password-42")
    expect(written).toContain("failed with [redacted]")
    expect(written).not.toContain("the-runtime-password-42")
  })
})

describe("channel-wide mentions in agent output", () => {
  it.each([
    ["Heads up @channel!", "Heads up ＠channel!"],
    ["@all @here and @alice", "＠all ＠here and @alice"],
    ["mail ops@all.example", "mail ops@all.example"],
    ["`@channel` stays in code", "`@channel` stays in code"],
    ["```\n@all in a fence\n```\n@all outside", "```\n@all in a fence\n```\n＠all outside"],
    ["``a ` @here`` then @here", "``a ` @here`` then ＠here"],
  ])("%j → %j", (input, output) => {
    const out = neutralizeMentions(input)
    expect(out).toBe(output)
    expect(out.length).toBe(input.length) // the same length: splits stay valid
  })
})
