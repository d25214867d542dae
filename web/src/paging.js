// paging.js — cursor paging for list pages: the API returns {items, next_cursor}; the page keeps
// the cursor that opened each page so 上一页 needs no server support.
import { ref } from 'vue';
import { api } from './api.js';

// path: API list path ('institutions'); filters(): the applied filters (no empty values needed).
export function useCursorList(path) {
  const rows = ref([]);
  const loading = ref(false);
  const limit = ref(20);
  const cursors = ref([undefined]); // cursors[i] opens page i; page 0 has none
  const page = ref(0);
  const nextCursor = ref(null);
  const applied = ref({});

  async function load() {
    loading.value = true;
    try {
      const r = await api.get(path, { ...applied.value, limit: limit.value, cursor: cursors.value[page.value] });
      rows.value = r.items;
      nextCursor.value = r.next_cursor;
    } catch {
      rows.value = [];
      nextCursor.value = null;
    } finally {
      loading.value = false;
    }
  }
  function search(filters) {
    if (filters) applied.value = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '' && v !== null && v !== undefined));
    cursors.value = [undefined];
    page.value = 0;
    return load();
  }
  function next() {
    cursors.value[page.value + 1] = nextCursor.value;
    page.value++;
    return load();
  }
  function prev() {
    page.value--;
    return load();
  }
  return { rows, loading, limit, page, nextCursor, applied, load, search, next, prev };
}
