// inspection.js — what the double-random pages (双随机抽查) share: the Chinese labels of task kinds,
// states, draw phases, check results and finding severities (they mirror src/inspection/*_api.c),
// the item list and department names fetched once, and small formatters.
import { reactive } from 'vue';
import { api } from './api.js';

export const TASK_KINDS = {
  random: '双随机抽查', patrol: '日常巡查', supervision: '专项督查', rectification: '专项整治',
  post_penalty: '处罚后复查', flight: '飞行检查', follow_up: '整改复查',
};
// Kinds a user may create directly (random tasks come from draws, follow-ups from orders).
export const DIRECT_KINDS = ['patrol', 'supervision', 'rectification', 'post_penalty', 'flight'];
export const TASK_STATES = { assigned: '待检查', in_progress: '检查中', completed: '已完成' };
export const TASK_STATE_TAG = { assigned: 'info', in_progress: 'warning', completed: 'success' };
export const PLAN_KINDS = { annual: '年度计划', special: '专项计划' };
export const PLAN_STATES = { draft: '草稿', committed: '已承诺', drawn: '已抽取' };
export const PLAN_STATE_TAG = { draft: 'info', committed: 'warning', drawn: 'success' };
export const PHASES = { due: '到期', credit: '信用', random: '随机' };
export const PHASE_TAG = { due: 'danger', credit: 'warning', random: 'primary' };
export const PHASE_NOTE = {
  due: '覆盖周期内未检查、必须优先抽取的对象',
  credit: '按风险权重（投诉、信用等次、违法记录等）加权抽取',
  random: '等概率随机抽取',
};
export const RESULTS = { compliant: '符合', non_compliant: '不符合', not_applicable: '不适用' };
export const OUTCOMES = { compliant: '未发现问题', non_compliant: '发现问题' };
export const SEVERITIES = { minor: '轻微', general: '一般', serious: '严重' };
export const SEVERITY_TAG = { minor: 'info', general: 'warning', serious: 'danger' };
export const ORDER_STATES = { open: '整改中', rectified: '已整改', not_rectified: '未整改' };
export const CONFLICT_KINDS = { worked: '曾任职单位', relative: '亲属所在单位' };
export const CREDIT_GRADES = ['A', 'B', 'C', 'D'];

const shared = reactive({ items: [], itemsLoaded: false, departments: {} });
export { shared as inspection };
let itemsPromise = null;
let deptPromise = null;

// GET /api/v1/inspection/items once per page load (force: after an edit).
export function loadItems(force = false) {
  if (!itemsPromise || force) {
    itemsPromise = api.get('inspection/items').then((r) => {
      shared.items = r.items;
      shared.itemsLoaded = true;
      return r.items;
    }).catch((e) => { itemsPromise = null; throw e; });
  }
  return itemsPromise;
}

export function itemName(id) {
  return shared.items.find((i) => i.id === id)?.name ?? id;
}

export function loadDepartments() {
  if (!deptPromise) {
    deptPromise = api.get('departments', undefined, { quiet: true }).then((r) => {
      for (const d of r.items ?? r) shared.departments[d.code] = d.name;
    }).catch(() => { deptPromise = null; });
  }
  return deptPromise;
}

export function departmentName(code) {
  return shared.departments[code] ?? code;
}

export const permille = (n) => (n === null || n === undefined ? '—' : `${(n / 10).toFixed(n % 10 ? 1 : 0)}%`);

// The local date as YYYY-MM-DD (the API's dates are Asia/Shanghai calendar days).
export function isoDay(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// Saves rows as a UTF-8 CSV with a BOM (Excel opens it as Chinese text): [header, ...rows].
export function saveCsv(name, rows) {
  const cell = (v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = '\ufeff' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// Field errors of an ApiError mapped onto a form's error object.
export function fieldErrorsOf(err) {
  const out = {};
  for (const e of err?.problem?.errors ?? []) if (e?.field && !out[e.field]) out[e.field] = e.detail;
  return out;
}
