// nav.js — the console's page map: one entry per capability, built or still to come. The menu,
// the router and the "建设中" placeholder all read this list, so they cannot disagree.
//   roles: who may open the page (absent: every signed-in user); mirrors the API's route roles.
//   planned: true while the capability has no page yet; desc says what it will do.
//   outside: the page has its own route outside the console shell (router.js); the menu only links it.
//   todos: the to-do kinds (GET /api/v1/todos/counts) whose open count the menu shows beside the entry.
// Who may open the double-random pages (the API's INSP_STAFF).
const INSP_STAFF = ['admin', 'leader', 'inspector', 'legal_reviewer', 'liaison'];
// Tasks and rectification orders: staff, and an institution user its own (the API's INSP_TASK_READERS).
const TASK_READERS = [...INSP_STAFF, 'institution'];

export const NAV = [
  { path: '/', name: 'home', title: '首页', icon: 'HomeFilled' },
  {
    title: '主体库', icon: 'OfficeBuilding', children: [
      { path: '/registry/institutions', name: 'institutions', title: '医疗机构' },
      { path: '/registry/practitioners', name: 'practitioners', title: '医务人员' },
      { path: '/registry/subjects', name: 'registry-subjects', title: '其他监管对象' },
      { path: '/registry/licences', name: 'licences', title: '电子证照' },
      { path: '/registry/grids', name: 'grids', title: '网格' },
      { path: '/registry/import', name: 'registry-import', title: '数据导入', roles: ['admin', 'inspector'] },
    ],
  },
  {
    title: '双随机抽查', icon: 'Aim', roles: TASK_READERS, children: [
      { path: '/inspection/plans', name: 'inspection-plans', title: '抽查计划', roles: INSP_STAFF },
      { path: '/field', name: 'field-menu', title: '现场检查（手机版）', roles: ['admin', 'leader', 'inspector'], outside: true },
      { path: '/inspection/tasks', name: 'inspection-tasks', title: '检查任务', roles: TASK_READERS, todos: ['inspection.task'] },
      { path: '/inspection/rectifications', name: 'inspection-rectifications', title: '整改', roles: TASK_READERS, todos: ['inspection.rectification'] },
      { path: '/inspection/publications', name: 'inspection-publications', title: '结果公示', roles: INSP_STAFF, todos: ['inspection.publication'] },
      { path: '/inspection/items', name: 'inspection-items', title: '抽查事项清单' },
      { path: '/inspection/inspectors', name: 'inspection-inspectors', title: '执法人员名录', roles: INSP_STAFF },
    ],
  },
  {
    title: '执法办案', icon: 'Stamp', roles: ['admin', 'leader', 'inspector', 'legal_reviewer'], children: [
      { path: '/enforcement/cases', name: 'enforcement-cases', title: '我的案件', roles: ['admin', 'leader', 'inspector', 'legal_reviewer'], todos: ['enforcement.case', 'enforcement.deadline'] },
      { path: '/enforcement/clues/new', name: 'enforcement-clue-new', title: '案源登记', roles: ['leader', 'inspector'] },
      { path: '/enforcement/queue', name: 'enforcement-queue', title: '审核审批', roles: ['admin', 'leader', 'legal_reviewer'], todos: ['enforcement.police_transfer', 'enforcement.supervision_escalated'] },
      { path: '/enforcement/benchmarks', name: 'enforcement-benchmarks', title: '裁量基准', roles: ['admin', 'leader', 'inspector', 'legal_reviewer'] },
      { path: '/enforcement/indicators', name: 'enforcement-indicators', title: '执法效能', roles: ['admin', 'leader', 'inspector', 'legal_reviewer'] },
    ],
  },
  { path: '/credit', name: 'credit', title: '信用监管', icon: 'Medal' },
  { path: '/complaints', name: 'complaints', title: '投诉举报', icon: 'ChatLineSquare', roles: ['admin', 'leader', 'inspector', 'liaison'],
    todos: ['complaints.dispatch', 'complaints.handle', 'complaints.revisit', 'complaints.supervise'],
    desc: '受理网上、热线等渠道的投诉举报，在部门间限时流转、督办与反馈。' },
  { path: '/rewards', name: 'rewards', title: '举报奖励', icon: 'Medal', roles: ['admin', 'leader', 'inspector', 'liaison', 'reward_officer'],
    todos: ['complaints.reward_approve', 'complaints.reward_pay'] },
  { path: '/joint', name: 'joint', title: '联合执法与联席会议', icon: 'Operation', roles: ['admin', 'leader', 'inspector', 'liaison'],
    todos: ['complaints.meeting_task'] },
  { path: '/patrols', name: 'patrols', title: '网格巡查', icon: 'Location', roles: ['admin', 'leader', 'inspector', 'liaison', 'grid_member'],
    todos: ['complaints.patrol_report', 'complaints.patrol_rate'] },
  { path: '/opinion-events', name: 'opinion-events', title: '重大舆情', icon: 'Warning', roles: ['admin', 'leader', 'inspector', 'liaison'],
    todos: ['complaints.opinion_task'] },
  { path: '/claims', name: 'claims', title: '医保智能监控', icon: 'DataAnalysis', roles: ['insurance_analyst', 'admin', 'leader', 'liaison'],
    desc: '按规则知识库筛查医保结算和处方数据中的欺诈、滥用等可疑行为，并复核疑点。' },
  { path: '/disclosure', name: 'disclosure', title: '信息公开', icon: 'Promotion', planned: true,
    desc: '向社会公开抽查结果、行政处罚和信用信息等监管结果。' },
  { path: '/responsibilities', name: 'responsibilities', title: '权责清单', icon: 'Notebook' },
  { path: '/audit', name: 'audit', title: '审计日志', icon: 'Tickets', planned: true, roles: ['admin', 'leader'],
    desc: '浏览防篡改的审计日志（执法全过程记录），查看签名树头并核验包含证明和一致性证明。' },
  {
    title: '系统管理', icon: 'Setting', roles: ['admin', 'leader'], children: [
      { path: '/admin/users', name: 'users', title: '用户', icon: 'User', roles: ['admin', 'leader'] },
      { path: '/admin/regions', name: 'regions', title: '区划', icon: 'MapLocation' },
    ],
  },
];

// Every page entry, flattened, with its group title for breadcrumbs.
export const PAGES = NAV.flatMap((n) => (n.children ? n.children.map((c) => ({ ...c, group: n.title })) : [n]));

export const ROLE_LABELS = {
  admin: '系统管理员',
  inspector: '监督员',
  legal_reviewer: '法制审核员',
  leader: '领导',
  liaison: '部门联络员',
  insurance_analyst: '医保分析员',
  institution: '机构用户',
  grid_member: '网格员',
  reward_officer: '举报奖励专员',
};

export const LEVEL_LABELS = { 1: '省级', 2: '市级', 3: '县级', 4: '乡级' };
