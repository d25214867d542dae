// router.js — history-mode routes (yijian serves index.html for unknown non-API paths, so a
// reload of /admin/users works). Pages load lazily; only signed-in users get past /login, except
// the public licence verification page /verify/:code.
import { createRouter, createWebHistory } from 'vue-router';
import { PAGES } from './nav.js';
import { session, loadSession } from './session.js';

const built = {
  home: () => import('./views/HomeView.vue'),
  users: () => import('./views/UsersView.vue'),
  regions: () => import('./views/RegionsView.vue'),
  institutions: () => import('./views/InstitutionsView.vue'),
  practitioners: () => import('./views/PractitionersView.vue'),
  licences: () => import('./views/LicencesView.vue'),
  'registry-subjects': () => import('./views/SubjectsView.vue'),
  'registry-import': () => import('./views/ImportView.vue'),
  'inspection-plans': () => import('./views/PlansView.vue'),
  'inspection-tasks': () => import('./views/TasksView.vue'),
  'inspection-rectifications': () => import('./views/RectificationsView.vue'),
  'inspection-publications': () => import('./views/PublicationsView.vue'),
  'inspection-items': () => import('./views/InspectionItemsView.vue'),
  'inspection-inspectors': () => import('./views/InspectorsView.vue'),
  grids: () => import('./views/GridsView.vue'),
  responsibilities: () => import('./views/ResponsibilitiesView.vue'),
  credit: () => import('./views/CreditView.vue'),
  'enforcement-cases': () => import('./views/CasesView.vue'),
  'enforcement-queue': () => import('./views/CaseQueueView.vue'),
  'enforcement-clue-new': () => import('./views/ClueEntryView.vue'),
  'enforcement-benchmarks': () => import('./views/BenchmarksView.vue'),
  'enforcement-indicators': () => import('./views/EnforcementIndicatorsView.vue'),
  complaints: () => import('./views/ComplaintsView.vue'),
  claims: () => import('./views/ClaimsView.vue'),
  rewards: () => import('./views/RewardsView.vue'),
  joint: () => import('./views/JointView.vue'),
  patrols: () => import('./views/PatrolsView.vue'),
  'opinion-events': () => import('./views/OpinionView.vue'),
};
const recordDetail = () => import('./views/RecordDetailView.vue');
const recordForm = () => import('./views/RecordFormView.vue');
const WRITERS = ['admin', 'inspector'];

// Pages below a menu entry (detail, create, edit): meta.menu keeps the entry highlighted and
// meta.parent puts it in the breadcrumb.
function recordRoutes(kind, base, label) {
  const parent = { title: label, path: '/' + base };
  const meta = { group: '主体库', kind, menu: '/' + base, parent };
  return [
    { path: `${base}/new`, name: `${kind}-new`, component: recordForm, meta: { ...meta, title: '新增', roles: WRITERS } },
    { path: `${base}/:id(\\d+)`, name: `${kind}-detail`, component: recordDetail, meta: { ...meta, title: '详情' } },
    { path: `${base}/:id(\\d+)/edit`, name: `${kind}-edit`, component: recordForm, meta: { ...meta, title: '编辑', roles: WRITERS } },
  ];
}
// Every other kind of subject (公共场所 …): one parameterised set below 其他监管对象.
function subjectRoutes() {
  const parent = { title: '其他监管对象', path: '/registry/subjects' };
  const meta = { group: '主体库', menu: '/registry/subjects', parent };
  const base = 'registry/subjects/:kind([a-z_]+)';
  return [
    { path: `${base}/new`, name: 'subject-new', component: recordForm, meta: { ...meta, title: '新增', roles: WRITERS } },
    { path: `${base}/:id(\\d+)`, name: 'subject-detail', component: recordDetail, meta: { ...meta, title: '详情' } },
    { path: `${base}/:id(\\d+)/edit`, name: 'subject-edit', component: recordForm, meta: { ...meta, title: '编辑', roles: WRITERS } },
  ];
}
const placeholder = () => import('./views/PlaceholderView.vue');

const consoleRoutes = PAGES.filter((p) => !p.outside).map((p) => ({
  path: p.path === '/' ? '' : p.path.slice(1),
  name: p.name,
  component: p.planned ? placeholder : built[p.name],
  meta: { title: p.title, group: p.group, roles: p.roles, planned: !!p.planned, desc: p.desc },
}));

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/SignInView.vue'), meta: { public: true, title: '登录' } },
  // The public licence check a QR code opens: no session, no console around it.
  { path: '/verify/:code', name: 'verify', component: () => import('./views/VerifyView.vue'), meta: { public: true, title: '电子证照核验' } },
  // Published draws and inspection results (一公开): no session.
  { path: '/public/inspection', name: 'public-inspection', component: () => import('./views/PublicInspectionView.vue'), meta: { public: true, title: '双随机抽查结果公开' } },
  // Complaints from the public (投诉举报) and their progress by tracking code: no session.
  { path: '/public/complaints', name: 'public-complaints', component: () => import('./views/PublicComplaintView.vue'), meta: { public: true, title: '投诉举报' } },
  { path: '/public/complaints/:code', name: 'public-complaint', component: () => import('./views/PublicComplaintView.vue'), meta: { public: true, title: '投诉举报办理进度' } },
  // The public credit lookup of institutions (信用查询): no session.
  { path: '/public/credit', name: 'public-credit', component: () => import('./views/PublicCreditView.vue'), meta: { public: true, title: '信用查询' } },
  // Field entry on a phone: signed in, but without the console shell.
  { path: '/field', name: 'field', component: () => import('./views/FieldTasksView.vue'), meta: { title: '我的检查任务' } },
  { path: '/field/tasks/:id(\\d+)', name: 'field-task', component: () => import('./views/TaskView.vue'), props: { field: true }, meta: { title: '现场检查' } },
  {
    path: '/',
    component: () => import('./layouts/ConsoleLayout.vue'),
    children: [
      ...consoleRoutes,
      ...recordRoutes('institution', 'registry/institutions', '医疗机构'),
      ...recordRoutes('practitioner', 'registry/practitioners', '医务人员'),
      ...subjectRoutes(),
      { path: 'inspection', redirect: '/inspection/plans' },
      { path: 'inspection/plans/:id(\\d+)', name: 'inspection-plan', component: () => import('./views/PlanDetailView.vue'),
        meta: { title: '计划详情', group: '双随机抽查', menu: '/inspection/plans', parent: { title: '抽查计划', path: '/inspection/plans' } } },
      { path: 'inspection/tasks/:id(\\d+)', name: 'inspection-task', component: () => import('./views/TaskView.vue'),
        meta: { title: '任务详情', group: '双随机抽查', menu: '/inspection/tasks', parent: { title: '检查任务', path: '/inspection/tasks' } } },
      { path: 'enforcement/cases/:id(\\d+)', name: 'enforcement-case', component: () => import('./views/CaseView.vue'),
        meta: { title: '案件详情', group: '执法办案', menu: '/enforcement/cases', parent: { title: '我的案件', path: '/enforcement/cases' } } },
      { path: 'complaints/:id(\\d+)', name: 'complaint', component: () => import('./views/ComplaintDetailView.vue'),
        meta: { title: '投诉举报详情', menu: '/complaints', parent: { title: '投诉举报', path: '/complaints' } } },
      { path: 'transfers/:id(\\d+)?', name: 'transfers', component: () => import('./views/TransfersView.vue'),
        meta: { title: '部门移送', menu: '/complaints', parent: { title: '投诉举报', path: '/complaints' } } },
      { path: 'rewards/:id(\\d+)', name: 'reward', component: () => import('./views/RewardsView.vue'),
        meta: { title: '举报奖励', menu: '/rewards', parent: { title: '举报奖励', path: '/rewards' } } },
      { path: 'joint-meetings/:id(\\d+)', name: 'joint-meeting', component: () => import('./views/JointView.vue'),
        meta: { title: '联席会议', menu: '/joint', parent: { title: '联合执法与联席会议', path: '/joint' } } },
      { path: 'patrols/:id(\\d+)', name: 'patrol', component: () => import('./views/PatrolsView.vue'),
        meta: { title: '网格巡查', menu: '/patrols', parent: { title: '网格巡查', path: '/patrols' } } },
      { path: 'opinion-events/:id(\\d+)', name: 'opinion-event', component: () => import('./views/OpinionView.vue'),
        meta: { title: '重大舆情', menu: '/opinion-events', parent: { title: '重大舆情', path: '/opinion-events' } } },
      { path: 'profile', name: 'profile', component: () => import('./views/ProfileView.vue'), meta: { title: '个人资料' } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: '页面不存在' } },
    ],
  },
];

const router = createRouter({ history: createWebHistory('/'), routes });

router.beforeEach(async (to) => {
  // Public pages other than sign-in do not ask who is signed in (a visitor from a QR code has no session).
  if (to.meta.public && to.name !== 'login') return true;
  if (!session.loaded) await loadSession();
  if (to.meta.public) return session.user && to.name === 'login' ? { name: 'home' } : true;
  if (!session.user) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  // After an administrator's reset the server serves nothing else until the password is changed.
  if (session.user.must_change_password && to.name !== 'profile') return { name: 'profile' };
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title ? to.meta.title + ' · ' : ''}医监`;
});

export default router;
