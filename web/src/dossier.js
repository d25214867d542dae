// dossier.js — 一户一档: the one page of a subject (RecordDetailView) gathers what each capability says
// about it. Each capability's section loads its own API (filtered by ?subject= or ?holder=) and emits
// its dated events; the page merges them into one timeline (components/dossier/SubjectTimeline.vue).
// No section reads another's data, and the server keeps each module's tables to itself.
import { onMounted, ref } from 'vue';
import { api } from './api.js';

// One timeline entry: day 'YYYY-MM-DD', source (the section's label: 证照, 检查, 整改 …), text, an
// optional route to open, and an Element Plus tag type.
export function event(day, source, text, to, type = 'primary') {
  return { day: day ?? '', source, text, to, type };
}

// Today as YYYY-MM-DD in the browser's zone (what is past and what is coming on the timeline).
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// Milliseconds since the epoch as YYYY-MM-DD in Asia/Shanghai (the server's day).
export function dayOf(ms) {
  if (!ms) return '';
  return new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

// A section's one list about the subject: GET path?subject=id (first 100), shown only when the role
// may read it (a refusal hides the section); toEvents(rows) gives its timeline entries, emitted once loaded.
export function useSubjectList(path, id, toEvents, emit) {
  const visible = ref(false);
  const rows = ref([]);
  const more = ref(false);
  onMounted(async () => {
    let r;
    try { r = await api.get(path, { subject: id, limit: 100 }, { quiet: true }); } catch { return; }
    visible.value = true;
    rows.value = r.items;
    more.value = !!r.next_cursor;
    emit('events', toEvents(r.items));
  });
  return { visible, rows, more };
}
