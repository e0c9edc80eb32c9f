import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { ConfigError, loadConfig, parseConfig } from "../../src/app/config.ts"

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
      expect(text).toContain("mattermost.secret is required when mattermost.publicUrl is set")
      expect(text).toContain('Unrecognized key: "typo"')
    }
  })

  it("a missing or broken file is a clear error", () => {
    expect(() => loadConfig("/nonexistent/config.json", {})).toThrow(/does not exist\. Copy config\.example\.json/)
  })
})
