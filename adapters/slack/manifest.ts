// The Slack app manifest as data: the bot scopes the adapter uses (each with what it is for and
// whether the adapter can run without it), the events it subscribes to, Socket Mode or HTTP
// request URLs, the slash command with a usage hint built from the command registry, and
// interactivity. `manifestYaml` prints it for "Create an app → From a manifest" (docs/slack.md).
import type { CommandSpec } from "../../src/chat/types.ts"
import { LIMITS } from "./limits.ts"
import type { SlackMode } from "./options.ts"

export interface ScopeUse {
  scope: string
  why: string
  /** Without it the adapter does not start (the core features break); the others degrade. */
  required: boolean
}

export const BOT_SCOPES: readonly ScopeUse[] = [
  { scope: "app_mentions:read", why: "mentions in channels start conversations", required: true },
  { scope: "chat:write", why: "post, edit and stream answers", required: true },
  { scope: "channels:history", why: "thread replies in public channels continue a conversation", required: true },
  { scope: "im:history", why: "direct messages", required: true },
  { scope: "users:read", why: "who wrote (access rules match user ids; unknown users are refused)", required: true },
  { scope: "channels:read", why: "channel names (per-channel rules, lookup)", required: false },
  { scope: "groups:history", why: "thread replies in private channels", required: false },
  { scope: "groups:read", why: "private channel names", required: false },
  { scope: "im:read", why: "direct message facts", required: false },
  { scope: "mpim:history", why: "group direct messages", required: false },
  { scope: "mpim:read", why: "group direct message facts", required: false },
  { scope: "commands", why: "the slash command", required: false },
  { scope: "files:read", why: "files attached in a thread reach the agent", required: false },
  { scope: "files:write", why: "the agent's files are uploaded into the thread", required: false },
  { scope: "reactions:read", why: "reactions answer approvals", required: false },
  { scope: "reactions:write", why: "the bot reacts (eyes, check mark)", required: false },
  { scope: "usergroups:read", why: "access rules by Slack user group", required: false },
  { scope: "assistant:write", why: "native answer streams and the 'is working…' status", required: false },
]

export const BOT_EVENTS = [
  "app_mention",
  "message.channels",
  "message.groups",
  "message.im",
  "message.mpim",
  "reaction_added",
  "reaction_removed",
] as const

export interface ManifestOptions {
  appName?: string
  commandName?: string
  /** The chat commands (the registry's specs, as `registerCommands` receives them) for the usage hint. */
  commands?: readonly CommandSpec[]
  mode?: SlackMode
  /** HTTP mode: the public URL Slack POSTs to (the relay's base URL plus the events path). */
  requestUrl?: string
  /** Include the assistant view (Slack's AI app surface, needed for streams and status); default true. */
  assistant?: boolean
}

const USAGE_HINT_MAX = 100

/** `status | new [first message] | …`, cut to a length Slack shows in its command picker. */
export function usageHint(commands: readonly CommandSpec[]): string {
  // `usage` is the whole line after the prefix, command word included ("new [first message]").
  const parts = commands.map((c) => c.usage ?? c.name)
  let hint = ""
  for (const p of parts) {
    const next = hint ? `${hint} | ${p}` : p
    if (next.length > USAGE_HINT_MAX) break
    hint = next
  }
  return hint || "help"
}

export function manifest(opts: ManifestOptions = {}): Record<string, unknown> {
  const name = opts.appName ?? "Switchboard"
  const http = (opts.mode ?? "socket") === "http"
  if (http && !opts.requestUrl) throw new Error("slack manifest: http mode needs the public request URL (publicUrl + events path)")
  const url = http ? { url: opts.requestUrl } : {}
  const command = {
    command: opts.commandName ?? LIMITS.commandName,
    description: `Talk to ${name}: status, new conversation, abort, help`,
    usage_hint: usageHint(opts.commands ?? []),
    should_escape: false,
    ...url,
  }
  const features: Record<string, unknown> = {
    app_home: { home_tab_enabled: false, messages_tab_enabled: true, messages_tab_read_only_enabled: false },
    bot_user: { display_name: name.toLowerCase().replace(/[^a-z0-9._-]+/g, "-"), always_online: true },
    slash_commands: [command],
  }
  if (opts.assistant ?? true) features.assistant_view = { assistant_description: `${name} runs coding-agent sessions for you.` }
  return {
    display_information: { name, description: "Drives OpenCode coding-agent sessions from Slack threads" },
    features,
    oauth_config: { scopes: { bot: BOT_SCOPES.map((s) => s.scope) } },
    settings: {
      event_subscriptions: { ...(http ? { request_url: opts.requestUrl } : {}), bot_events: [...BOT_EVENTS] },
      interactivity: { is_enabled: true, ...(http ? { request_url: opts.requestUrl } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: !http,
      token_rotation_enabled: false,
    },
  }
}

/** YAML of plain data: strings double-quoted (JSON strings are valid YAML scalars), 2-space indents. */
export function toYaml(value: unknown, indent = 0): string {
  const pad = " ".repeat(indent)
  const scalar = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : String(v))
  const isNode = (v: unknown) => typeof v === "object" && v !== null && (!Array.isArray(v) || v.length > 0)
  if (Array.isArray(value)) {
    return value
      .map((item) => (isNode(item) && !Array.isArray(item) ? `${pad}- ${toYaml(item, indent + 2).trimStart()}` : `${pad}- ${scalar(item)}\n`))
      .join("")
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => (isNode(v) ? `${pad}${k}:\n${toYaml(v, indent + 2)}` : `${pad}${k}: ${Array.isArray(v) ? "[]" : scalar(v)}\n`))
      .join("")
  }
  return `${pad}${scalar(value)}\n`
}

export function manifestYaml(opts: ManifestOptions = {}): string {
  return toYaml(manifest(opts))
}

export function manifestJson(opts: ManifestOptions = {}): string {
  return JSON.stringify(manifest(opts), null, 2)
}
