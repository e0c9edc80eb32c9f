// An OpenCode plugin the relay loads into the embedded runtime (src/runtime/embedded-config.ts).
// The runtime must keep its server password in its own environment, and OpenCode starts every
// shell the agent runs with that environment; this hook blanks the password there, so the agent
// never sees it in `env`. Plain JavaScript: OpenCode loads it as it is.
export const SwitchboardShellEnv = async () => ({
  "shell.env": async (_input, output) => {
    for (const name of ["OPENCODE_SERVER_PASSWORD", "OPENCODE_SERVER_USERNAME", "KILO_SERVER_PASSWORD", "KILO_SERVER_USERNAME"]) output.env[name] = ""
  },
})
