// mobile.js — whether the console is on a phone-sized screen (below 768 px): the menu becomes a
// drawer (ConsoleLayout.vue) and lists show cards instead of tables. One listener for the app.
import { ref } from 'vue';

const query = window.matchMedia('(max-width: 767px)');
export const isMobile = ref(query.matches);
query.addEventListener('change', (e) => { isMobile.value = e.matches; });
