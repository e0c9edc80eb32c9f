// Read-side listings in the real server's PostList shape (`{order, posts, next_post_id,
// prev_post_id, has_next}`): a thread (ascending, as Client4's default direction=down asks) and a
// channel's posts (newest first, by page or `since`). Paging cursors (before/after, thread
// perPage) are not implemented; routes reject or ignore them.
import { clientPost } from "./posts.ts"
import type { FakeState } from "./state.ts"
import type { Post } from "./types.ts"

export interface PostList {
  order: string[]
  posts: Record<string, Post>
  next_post_id: string
  prev_post_id: string
  has_next: boolean
}

export function postList(state: FakeState, order: Post[], extra: Post[] = []): PostList {
  const posts: Record<string, Post> = {}
  for (const p of [...order, ...extra]) posts[p.id] = clientPost(state, p)
  return { order: order.map((p) => p.id), posts, next_post_id: "", prev_post_id: "", has_next: false }
}

/**
 * `GET /channels/{id}/posts`: with `since`, every post created, edited or deleted after it;
 * otherwise one page of live posts. Newest first. Unless `skipFetchThreads`, the map also holds
 * the other posts of each thread touched (not in `order`), as the real server does.
 */
export function channelPosts(
  state: FakeState,
  channelId: string,
  q: { since?: number; page: number; perPage: number; skipFetchThreads: boolean },
): PostList {
  const all = [...state.posts.values()].filter((p) => p.channel_id === channelId).reverse()
  const order =
    q.since !== undefined
      ? all.filter((p) => p.update_at > q.since!)
      : all.filter((p) => !p.delete_at).slice(q.page * q.perPage, (q.page + 1) * q.perPage)
  if (q.skipFetchThreads) return postList(state, order)
  const roots = new Set(order.map((p) => p.root_id || p.id))
  const extra = all.filter((p) => !p.delete_at && roots.has(p.root_id || p.id))
  return postList(state, order, extra)
}
