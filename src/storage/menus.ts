// Choices a command offered in chat (buttons or a select): each menu is a command and the
// arguments its options stand for, so a click's action id carries only the menu and an index
// (platform action ids are short and plain) and a click means "run this command with that".
import { randomBytes } from "node:crypto"
import { z } from "zod"
import type { Db } from "./db.ts"
import { jsonColumn } from "./json-column.ts"

export interface Menu {
  id: string
  thread: string
  command: string
  args: string[]
  createdAt: number
}

interface Row {
  id: string
  thread: string
  command: string
  args: string
  created_at: number
}

const argsColumn = jsonColumn("menus.args", z.array(z.string()))

export function createMenuRepo(db: Db) {
  const insert = db.prepare("INSERT INTO menus (id, thread, command, args, created_at) VALUES (?, ?, ?, ?, ?)")
  const get = db.prepare<[string], Row>("SELECT * FROM menus WHERE id = ?")
  const prune = db.prepare("DELETE FROM menus WHERE created_at < ?")
  return {
    create(m: Omit<Menu, "id">): Menu {
      const id = randomBytes(6).toString("base64url").replace(/[-_]/g, "x")
      insert.run(id, m.thread, m.command, JSON.stringify(m.args), m.createdAt)
      return { id, ...m }
    },
    get(id: string): Menu | undefined {
      const r = get.get(id)
      return r ? { id: r.id, thread: r.thread, command: r.command, args: argsColumn.parse(r.args), createdAt: r.created_at } : undefined
    },
    prune: (before: number) => prune.run(before).changes,
  }
}

export type MenuRepo = ReturnType<typeof createMenuRepo>
