import { defineConfig } from "vitest/config"

const MATTERMOST_CHATTER =
  /^(websocket (connecting to|closed|re-established|error)|got connection id|ping received no response|long timeout, or server restart|missed websocket event)/

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // e2e files start a real OpenCode server each; two cores, so keep the parallelism modest.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // @mattermost/client's WebSocketClient narrates its connection with console.log; the CLI
    // routes that into the log, and here it would bury real output. Anything else still shows.
    onConsoleLog(log, type) {
      if (type === "stdout" && MATTERMOST_CHATTER.test(log)) return false
    },
  },
})
