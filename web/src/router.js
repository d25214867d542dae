// router.js — history-mode routes (yijian serves index.html for unknown non-API paths, so a
// reload of /admin/users works). Pages load lazily; only signed-in users get past /login.
import { createRouter, createWebHistory } from 'vue-router';
import { PAGES } from './nav.js';
import { session, loadSession } from './session.js';

const built = {
  home: () => import('./views/HomeView.vue'),
  users: () => import('./views/UsersView.vue'),
  regions: () => import('./views/RegionsView.vue'),
};
const placeholder = () => import('./views/PlaceholderView.vue');

const consoleRoutes = PAGES.map((p) => ({
  path: p.path === '/' ? '' : p.path.slice(1),
  name: p.name,
  component: p.planned ? placeholder : built[p.name],
  meta: { title: p.title, group: p.group, roles: p.roles, planned: !!p.planned, desc: p.desc },
}));

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/SignInView.vue'), meta: { public: true, title: '登录' } },
  {
    path: '/',
    component: () => import('./layouts/ConsoleLayout.vue'),
    children: [
      ...consoleRoutes,
      { path: 'profile', name: 'profile', component: () => import('./views/ProfileView.vue'), meta: { title: '个人资料' } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: '页面不存在' } },
    ],
  },
];

const router = createRouter({ history: createWebHistory('/'), routes });

router.beforeEach(async (to) => {
  if (!session.loaded) await loadSession();
  if (to.meta.public) return session.user && to.name === 'login' ? { name: 'home' } : true;
  if (!session.user) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title ? to.meta.title + ' · ' : ''}医监`;
});

export default router;
