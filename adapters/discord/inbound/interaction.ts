// Interactions: button clicks, string selects, slash commands and autocomplete. Each is
// acknowledged FIRST — Discord shows "This interaction failed" after 3 s — with deferUpdate for
// components and an ephemeral deferReply for commands; only then does the event reach the core,
// carrying a Responder that answers through the interaction's own webhook: `ephemeral` as a
// follow-up only the person sees, `update` as an edit of the clicked message (no channel bucket
// spent). Autocomplete is answered here from the command's choices and never reaches the core.
import {
  GuildMember,
  MessageFlags,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type InteractionEditReplyOptions,
  type StringSelectMenuInteraction,
} from "discord.js"
import type { ActionEvent, ChatSink, ChatUser, CommandEvent, OutMessage, Responder } from "../../../src/chat/types.ts"
import type { SlashCommands } from "../commands.ts"
import { suggest } from "../commands.ts"
import { componentsOf, decodeCustomId } from "../outbound.ts"
import { channelById, placeOf, threadRefOf, type Place } from "../places.ts"
import { encodeMessage, PLATFORM } from "../refs.ts"
import type { InboundDeps } from "./message.ts"

export interface InteractionDeps extends InboundDeps {
  sink: () => ChatSink | undefined
  commands: SlashCommands
  /** Components are on (buttons in `update`); false strips them. */
  components: boolean
  now?: () => number
}

export const NOT_SERVED = "Switchboard does not work in this channel."
export const EXPIRED = "This request has expired; its buttons no longer do anything."

const NO_PINGS = { parse: [] as never[], repliedUser: false }

type Component = ButtonInteraction | StringSelectMenuInteraction

export async function onInteraction(deps: InteractionDeps, i: Interaction): Promise<void> {
  if (i.isAutocomplete()) return autocomplete(deps, i)
  if (i.isButton() || i.isStringSelectMenu()) return component(deps, i)
  if (i.isChatInputCommand()) return command(deps, i)
}

async function autocomplete(deps: InteractionDeps, i: AutocompleteInteraction): Promise<void> {
  const choices = deps.commands.spec(i.commandName)?.argument?.choices ?? []
  await i.respond(suggest(choices, String(i.options.getFocused())))
}

async function placeOfInteraction(deps: InteractionDeps, i: Interaction): Promise<Place | undefined> {
  const channel = i.channel ?? (i.channelId ? await channelById(deps.client, i.channelId) : undefined)
  const place = channel ? placeOf(channel) : undefined
  return place && deps.places.serves(place) ? place : undefined
}

async function who(deps: InteractionDeps, i: Interaction, place: Place): Promise<ChatUser> {
  if (place.kind === "dm" || !i.guildId) return deps.members.direct(i.user)
  return deps.members.inGuild(i.guildId, i.user, i.member instanceof GuildMember ? i.member : undefined)
}

/** The conversation place: a thread, a DM, or a text channel's own top level (thread ""). */
const threadOf = (place: Place) => threadRefOf(place, place.kind === "text" ? "" : place.thread)

const base = (place: Place, i: Interaction, user: ChatUser) => ({
  platform: PLATFORM,
  workspace: place.guild,
  channel: place.channel,
  ...(place.channelName ? { channelName: place.channelName } : {}),
  space: place.space,
  thread: threadOf(place),
  user,
  id: i.id,
  at: i.createdTimestamp,
})

async function component(deps: InteractionDeps, i: Component): Promise<void> {
  await i.deferUpdate()
  const note = (content: string) => i.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS }).then(() => {})
  const { id, expiresAt } = decodeCustomId(i.customId)
  if (expiresAt !== undefined && (deps.now ?? Date.now)() > expiresAt) return note(EXPIRED)
  const place = await placeOfInteraction(deps, i)
  if (!place) return note(NOT_SERVED)
  const respond: Responder = {
    ephemeral: note,
    update: async (message: OutMessage) => {
      const edit: InteractionEditReplyOptions = {
        content: message.text,
        components: (deps.components ? componentsOf(message) : []) as InteractionEditReplyOptions["components"],
        allowedMentions: NO_PINGS,
      }
      await i.editReply(edit)
    },
  }
  const values = i.isStringSelectMenu() ? i.values : undefined
  const event: ActionEvent = {
    kind: "action",
    ...base(place, i, await who(deps, i, place)),
    message: encodeMessage({ channel: i.channelId, message: i.message.id }),
    actionId: id,
    ...(values?.[0] !== undefined ? { value: values[0] } : {}),
    ...(values ? { values: [...values] } : {}),
    respond,
  }
  const reply = await deps.sink()?.(event)
  if (reply?.ephemeral) await note(reply.ephemeral)
}

async function command(deps: InteractionDeps, i: ChatInputCommandInteraction): Promise<void> {
  await i.deferReply({ flags: MessageFlags.Ephemeral })
  const place = await placeOfInteraction(deps, i)
  if (!place) {
    await i.editReply({ content: NOT_SERVED, allowedMentions: NO_PINGS })
    return
  }
  let answered = false
  const respond: Responder = {
    // The first note fills the deferred (ephemeral) reply; later ones are ephemeral follow-ups.
    ephemeral: async (content) => {
      if (!answered) {
        answered = true
        await i.editReply({ content, allowedMentions: NO_PINGS })
      } else await i.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS })
    },
  }
  const option = i.options.data.find((o) => typeof o.value === "string")
  const event: CommandEvent = {
    kind: "command",
    ...base(place, i, await who(deps, i, place)),
    name: i.commandName.toLowerCase(),
    args: typeof option?.value === "string" ? option.value : "",
    // At a text channel's top level a conversation needs a thread of its own.
    ...(place.kind === "text" ? { threadStart: true } : {}),
    respond,
  }
  try {
    await deps.sink()?.(event)
  } finally {
    // Nothing private to say: take the "is thinking…" placeholder away (answers went to the thread).
    if (!answered) await i.deleteReply().catch((err: unknown) => deps.log.debug({ err }, "deferred command reply already gone"))
  }
}
