// todos.js — the signed-in user's to-do counts (待办数), shared by the menu badges and the home page's
// list. The server counts (GET /api/v1/todos/counts); the menu maps kinds to entries through the
// `todos` list of each entry in nav.js.
import { reactive } from 'vue';
import { api } from './api.js';

export const todoCounts = reactive({ total: 0, overdue: 0, kinds: [], loaded: false });

let pending = null;
// Reloads the counts (one request at a time; a failure keeps the last counts and shows nothing,
// since badges are a convenience and the page being opened reports its own errors).
export function loadTodoCounts() {
  if (pending) return pending;
  pending = api.get('todos/counts', undefined, { quiet: true })
    .then((c) => Object.assign(todoCounts, c, { loaded: true }))
    .catch(() => {})
    .finally(() => { pending = null; });
  return pending;
}

// {count, overdue} of the open to-dos of the given kinds.
export function countOf(kinds) {
  let count = 0, overdue = 0;
  for (const k of todoCounts.kinds) {
    if (kinds.includes(k.kind)) { count += k.count; overdue += k.overdue; }
  }
  return { count, overdue };
}
