import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { ConfigError, ENV_OVERRIDES, loadConfig, parseConfig } from "../../src/app/config.ts"

const ROOT = resolve(import.meta.dirname, "..", "..")

describe("config", () => {
  it("config.example.json is valid", () => {
    const c = parseConfig(JSON.parse(readFileSync(resolve(ROOT, "config.example.json"), "utf8")))
    expect(c.mattermost?.callbackPath).toBe("/mattermost/actions")
    expect(c.mattermost?.team).toBe("engineering")
    expect(c.mattermost?.reconnect).toEqual({ minMs: 3000, jitterMs: 2000 })
    expect(c.chat.interactionTimeoutSeconds).toBe(300)
  })

  it("defaults to the embedded runtime, the terminal-friendly settings and no platform", () => {
    const c = parseConfig({})
    expect(c.runtime.url).toBeUndefined()
    expect(c.storage.path).toBe("./data/switchboard.db")
    expect(c.mattermost).toBeUndefined()
  })

  it("environment variables override the file (secrets stay out of it)", () => {
    const c = parseConfig(
      { mattermost: { url: "https://chat.example.com", token: "from-file" } },
      { MATTERMOST_TOKEN: "from-env", SWITCHBOARD_HTTP_PORT: "9999", OPENCODE_SERVER_PASSWORD: "pw" },
    )
    expect(c.mattermost?.token).toBe("from-env")
    expect(c.http.port).toBe(9999)
    expect(c.runtime.password).toBe("pw")
  })

  it("names every problem and the field it is in", () => {
    try {
      parseConfig({ chat: { verbosity: "loud" }, mattermost: { url: "https://x.example", token: "t", publicUrl: "https://relay.example" }, typo: 1 })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      const text = (err as Error).message
      expect(text).toContain("chat.verbosity")
      expect(text).toContain("mattermost.secret: required when mattermost.publicUrl is set — it signs button callbacks (or set MATTERMOST_SECRET)")
      expect(text).toContain('Unrecognized key: "typo"')
    }
  })

  it("a missing required value names the environment variable that can supply it", () => {
    const problems = (raw: unknown, env: NodeJS.ProcessEnv = {}) => {
      try {
        parseConfig(raw, env)
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError)
        return (err as Error).message.split("\n").slice(1)
      }
      return expect.unreachable()
    }
    expect(problems({ mattermost: { url: "https://chat.example.com" } })).toEqual([
      "  - mattermost.token: required — the bot account's access token (or set MATTERMOST_TOKEN)",
    ])
    expect(problems({ mattermost: { token: "" } })).toEqual([
      "  - mattermost.url: required — the server root, e.g. https://chat.example.com (or set MATTERMOST_URL)",
      "  - mattermost.token: required — the bot account's access token (or set MATTERMOST_TOKEN)",
    ])
    // A wrong value is not "required", and one that came from the environment says where from.
    expect(problems({ mattermost: { url: "chat", token: "t" } })).toEqual(["  - mattermost.url: must be the server root, e.g. https://chat.example.com"])
    expect(problems({ mattermost: { token: "t" } }, { MATTERMOST_URL: "chat", SWITCHBOARD_HTTP_PORT: "eighty" })).toEqual([
      "  - http.port: Invalid input: expected number, received NaN (from SWITCHBOARD_HTTP_PORT)",
      "  - mattermost.url: must be the server root, e.g. https://chat.example.com (from MATTERMOST_URL)",
    ])
  })

  it("every environment variable named in an error is one the relay reads", () => {
    const named: string[] = []
    for (const raw of [{ mattermost: {} }, { mattermost: { url: "https://x.example", token: "t", publicUrl: "https://relay.example" } }]) {
      try {
        parseConfig(raw)
      } catch (err) {
        for (const [, name] of (err as Error).message.matchAll(/\(or set (\w+)\)/g)) named.push(name!)
      }
    }
    expect(named).toEqual(["MATTERMOST_URL", "MATTERMOST_TOKEN", "MATTERMOST_SECRET"])
    for (const name of named) expect(ENV_OVERRIDES.map(([n]) => n)).toContain(name)
  })

  it("a missing or broken file is a clear error", () => {
    expect(() => loadConfig("/nonexistent/config.json", {})).toThrow(/does not exist\. Copy config\.example\.json/)
  })
})
