// api.js — the console's one way to call /api/v1: JSON in and out, the session's CSRF token on
// every state-changing request, RFC 9457 problems turned into one Chinese message (shown with
// ElMessage unless the caller asks for quiet), and 401 sending the user to the sign-in page.
import { ElMessage } from 'element-plus';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

// The server's field names in errors[] (problem+json) and how the console labels them.
const FIELD_LABELS = {
  username: '用户名',
  password: '密码',
  old_password: '原密码',
  new_password: '新密码',
  display_name: '姓名',
  role: '角色',
  region_code: '行政区划代码',
  region: '行政区划',
  department: '部门',
  parent: '上级区划',
  level: '级别',
  q: '关键词',
  limit: '每页条数',
  cursor: '翻页游标',
  format: '导出格式',
  // registry (主体库)
  name: '名称',
  credit_code: '统一社会信用代码',
  licence_no: '执业许可证登记号',
  type: '类别',
  state: '状态',
  grid: '网格',
  insurance_designated: '医保定点',
  certificate_no: '执业证书编码',
  id_number: '身份证号',
  category: '人员类别',
  practice_type: '执业类别',
  institution: '执业机构',
  insurance_physician: '医保医师',
  as_of: '日期',
  holder_type: '持证主体类型',
  holder: '持证主体',
  holder_id: '持证主体',
  kind: '证照种类',
  reason: '事由',
  valid_from: '有效期起',
  valid_to: '有效期至',
  dry_run: '试导入',
  skip_invalid: '跳过错误行',
  // 双随机抽查 (inspection)
  legal_basis: '检查依据', subject_types: '检查对象类型', checklist: '检查要点', ratio_permille: '抽查比例',
  coverage_years: '覆盖周期', item_ids: '抽查事项', departments: '参与部门', team_size: '每组人数',
  credit_share_permille: '信用规则占比', conflict_years: '任职回避年限', weight_factors: '权重系数', witness: '见证值',
  cert_no: '执法证号', lng: '经度', lat: '纬度', result: '检查结果', note: '说明', severity: '严重程度', clause: '违反条款',
  description: '问题描述', point_code: '检查要点', signer_name: '签字人', signed: '签字', signature: '签字或拒签',
  checkin: '签到', requirement: '整改要求', working_days: '整改期限', summary: '检查结论', team: '检查组',
  institution_id: '执业机构',
  start_date: '开始日期',
  end_date: '结束日期',
  grid_id: '网格',
  grid_code: '网格编码',
  user_ids: '网格员',
  duty: '职责',
  source: '来源',
  seq: '序号',
  group: '分组',
};

let csrfToken = '';
let onUnauthorized = () => {};

export function setCsrfToken(token) { csrfToken = token ?? ''; }
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

// An error from the API (or the network) carrying the problem document, if any.
export class ApiError extends Error {
  constructor(status, problem, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem ?? null;
    this.type = problem?.type ?? '';
    // { field: detail } for forms that show errors beside their inputs.
    this.fieldErrors = {};
    for (const e of problem?.errors ?? []) if (e?.field) this.fieldErrors[e.field] = e.detail ?? '';
  }
}

export function fieldLabel(field) { return FIELD_LABELS[field] ?? field; }

// One line of Chinese for a problem: its detail (or title), plus each field's complaint.
export function problemMessage(status, problem) {
  if (!problem) return status >= 500 ? `服务器出错（${status}），请稍后重试。` : `请求失败（${status}）。`;
  let msg = problem.detail || problem.title || `请求失败（${status}）。`;
  const fields = (problem.errors ?? []).filter((e) => e?.field && e?.detail)
    .map((e) => `${fieldLabel(e.field)}：${e.detail}`);
  // Do not repeat a field complaint the detail already says word for word.
  const extra = fields.filter((f) => !msg.includes(f.split('：')[1]));
  if (extra.length) msg += '（' + extra.join('；') + '）';
  return msg;
}

function url(path, query) {
  const u = new URL(path.startsWith('/') ? path : '/api/v1/' + path, window.location.origin);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, String(v));
  }
  return u.pathname + u.search;
}

async function readProblem(res) {
  const type = res.headers.get('Content-Type') ?? '';
  if (!type.includes('json')) return null;
  try { return await res.json(); } catch { return null; }
}

// request('GET', 'users', { query, body, quiet, signIn, raw }) → parsed JSON (or null for 204).
//   quiet: do not show the error message (the caller shows it itself)
//   signIn: a 401 is a wrong password, not an expired session (no redirect)
//   raw: return the Response (for downloads)
//   data, contentType: a body sent as it is (a CSV file's bytes) instead of JSON
export async function request(method, path, opts = {}) {
  const { query, body, data, contentType, quiet = false, signIn = false, raw = false, retried = false } = opts;
  const headers = { Accept: 'application/json' };
  if (data !== undefined) headers['Content-Type'] = contentType ?? 'application/octet-stream';
  else if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(url(path, query), {
      method,
      headers,
      body: data !== undefined ? data : body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    const err = new ApiError(0, null, '无法连接服务器，请检查网络后重试。');
    if (!quiet) ElMessage.error(err.message);
    throw err;
  }
  if (res.ok) {
    if (raw) return res;
    if (res.status === 204) return null;
    const type = res.headers.get('Content-Type') ?? '';
    return type.includes('json') ? res.json() : res.text();
  }
  const problem = await readProblem(res);
  // A stale CSRF token (another tab signed in again): fetch the current one and retry once.
  if (res.status === 403 && problem?.type?.endsWith(':csrf') && !retried) {
    try {
      const s = await fetch('/api/v1/session', { headers: { Accept: 'application/json' } });
      if (s.ok) {
        setCsrfToken((await s.json()).csrf_token);
        return request(method, path, { ...opts, retried: true });
      }
    } catch { /* fall through to the error */ }
  }
  const err = new ApiError(res.status, problem, problemMessage(res.status, problem));
  if (res.status === 401 && !signIn) {
    setCsrfToken('');
    onUnauthorized(err);
    throw err;
  }
  if (!quiet) ElMessage.error({ message: err.message, grouping: true });
  throw err;
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
};

// Downloads an export (xlsx or csv) through fetch, so that errors still arrive as problems.
export async function download(path, query, fallbackName) {
  const res = await request('GET', path, { query, raw: true });
  const blob = await res.blob();
  const disp = res.headers.get('Content-Disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disp);
  const plain = /filename="?([^";]+)"?/i.exec(disp);
  const name = star ? decodeURIComponent(star[1]) : plain ? plain[1] : fallbackName;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  return name;
}
