// The emoji the relay uses, by short name and character, once for every platform: Mattermost
// and Slack react by name, Discord by character, and reactions come back either way.

/** Short name → character (aliases point to the same character). */
export const EMOJI: Readonly<Record<string, string>> = {
  eyes: "👀",
  white_check_mark: "✅",
  heavy_check_mark: "✔️",
  x: "❌",
  "+1": "👍",
  thumbsup: "👍",
  "-1": "👎",
  thumbsdown: "👎",
  hourglass_flowing_sand: "⏳",
  hourglass: "⌛",
  tada: "🎉",
  warning: "⚠️",
  octagonal_sign: "🛑",
  no_entry: "⛔",
  thinking_face: "🤔",
  infinity: "♾️",
  one: "1️⃣",
  two: "2️⃣",
  three: "3️⃣",
  four: "4️⃣",
  five: "5️⃣",
  six: "6️⃣",
  seven: "7️⃣",
  eight: "8️⃣",
  nine: "9️⃣",
}

const NAMES = new Map<string, string>()
for (const [name, char] of Object.entries(EMOJI)) if (!NAMES.has(char)) NAMES.set(char, name)

/** The short name of an emoji given as `:name:`, `name` or one of the characters above. */
export function emojiShortName(emoji: string): string {
  return NAMES.get(emoji) ?? emoji.replace(/^:|:$/g, "")
}

/** The character of a short name (with or without colons), if the table has it. */
export function emojiCharacter(name: string): string | undefined {
  return EMOJI[name.replace(/^:|:$/g, "")]
}
