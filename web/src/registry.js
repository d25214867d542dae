// registry.js — what the registry pages share: the two kinds of subject (their fields, labels and
// widgets, mirroring the field tables in src/registry/institution.c and practitioner.c), the code
// lists from GET /api/v1/vocab, region names, and how values are shown.
import { reactive } from 'vue';
import { api } from './api.js';

// type: text | int | bool | date | code | codes | region | ref | coord; vocab: a list of /vocab.
// required: the server refuses the record without it (the form shows the mark; the server says why).
// group: the heading the detail page and the form put the field under.
const INSTITUTION_FIELDS = [
  { name: 'name', label: '机构名称', type: 'text', required: true, max: 100, group: '基本信息', wide: true },
  { name: 'credit_code', label: '统一社会信用代码', type: 'text', required: true, max: 18, group: '基本信息', mono: true,
    upper: true, hint: '18 位，末位为校验码（GB 32100-2015）' },
  { name: 'licence_no', label: '执业许可证登记号', type: 'text', max: 22, group: '基本信息', mono: true, upper: true,
    hint: '22 位数字或大写字母' },
  { name: 'type', label: '机构类别', type: 'code', vocab: 'institution_type', required: true, group: '基本信息' },
  { name: 'level', label: '级别', type: 'code', vocab: 'level', required: true, group: '基本信息' },
  { name: 'grade', label: '等次', type: 'code', vocab: 'grade', group: '基本信息' },
  { name: 'ownership', label: '举办主体', type: 'code', vocab: 'ownership', required: true, group: '基本信息' },
  { name: 'profit', label: '经营性质', type: 'code', vocab: 'profit', required: true, group: '基本信息' },
  { name: 'state', label: '执业状态', type: 'code', vocab: 'institution_state', group: '基本信息' },
  { name: 'insurance_designated', label: '医保定点', type: 'bool', group: '基本信息' },
  { name: 'clinical_depts', label: '诊疗科目', type: 'codes', vocab: 'clinical_dept', group: '执业范围', wide: true },
  { name: 'equipment', label: '大型医用设备', type: 'codes', vocab: 'equipment', group: '执业范围', wide: true },
  { name: 'beds', label: '核定床位', type: 'int', max: 20000, group: '执业范围' },
  { name: 'region_code', label: '行政区划', type: 'region', required: true, group: '属地与位置' },
  { name: 'grid_code', label: '网格编码', type: 'text', max: 20, group: '属地与位置', inputOnly: true, mono: true,
    hint: '不改网格请留空' },
  { name: 'address', label: '地址', type: 'text', max: 200, group: '属地与位置', wide: true },
  { name: 'lng', label: '经度', type: 'coord', min: 73, maxv: 136, group: '属地与位置', hint: '可不填；GCJ-02' },
  { name: 'lat', label: '纬度', type: 'coord', min: 3, maxv: 54, group: '属地与位置', hint: '可不填；GCJ-02' },
  { name: 'licence_valid_from', label: '许可证有效期起', type: 'date', group: '许可与校验' },
  { name: 'licence_valid_to', label: '许可证有效期至', type: 'date', group: '许可与校验' },
  { name: 'verified_on', label: '最近校验日期', type: 'date', group: '许可与校验' },
  { name: 'verify_due', label: '下次校验日期', type: 'date', group: '许可与校验' },
  { name: 'credit_code_override', label: '校验例外理由', type: 'text', max: 200, group: '许可与校验', wide: true,
    adminOnly: true, hint: '仅管理员：早期试点代码确属有效但未通过校验时填写' },
];

const PRACTITIONER_FIELDS = [
  { name: 'name', label: '姓名', type: 'text', required: true, max: 50, group: '基本信息' },
  { name: 'id_number', label: '身份证号', type: 'text', required: true, max: 18, group: '基本信息', mono: true,
    upper: true, inputOnly: true, hint: '18 位，末位为校验码（GB 11643-1999）；加密存储，只显示脱敏号码' },
  { name: 'id_masked', label: '身份证号', type: 'text', group: '基本信息', derived: true, mono: true },
  { name: 'sex', label: '性别', type: 'sex', group: '基本信息', derived: true },
  { name: 'birth_date', label: '出生日期', type: 'date', group: '基本信息', derived: true },
  { name: 'certificate_no', label: '执业证书编码', type: 'text', required: true, max: 30, group: '执业信息', mono: true,
    upper: true, hint: '8–30 位数字或大写字母' },
  { name: 'category', label: '人员类别', type: 'code', vocab: 'category', required: true, group: '执业信息' },
  { name: 'practice_type', label: '执业类别', type: 'code', vocab: 'practice_type', required: true, group: '执业信息' },
  { name: 'practice_scope', label: '执业范围', type: 'text', max: 100, group: '执业信息' },
  { name: 'institution_id', label: '主要执业机构', type: 'ref', required: true, group: '执业信息', wide: true },
  { name: 'region_code', label: '行政区划', type: 'region', group: '执业信息', derived: true },
  { name: 'state', label: '执业状态', type: 'code', vocab: 'practitioner_state', group: '执业信息' },
  { name: 'prescription_right', label: '处方权', type: 'bool', group: '权限' },
  { name: 'antibiotic_grade', label: '抗菌药物处方权限', type: 'code', vocab: 'antibiotic_grade', group: '权限' },
  { name: 'surgical_grade', label: '手术分级权限', type: 'int', max: 4, group: '权限', hint: '0–4 级' },
  { name: 'insurance_physician', label: '医保医师', type: 'bool', group: '权限' },
  { name: 'assessment_result', label: '定期考核结果', type: 'code', vocab: 'assessment', group: '定期考核' },
  { name: 'assessment_date', label: '定期考核日期', type: 'date', group: '定期考核' },
];

export const KINDS = {
  institution: {
    key: 'institution', api: 'institutions', label: '医疗机构', list: '/registry/institutions',
    fields: INSTITUTION_FIELDS, stateVocab: 'institution_state',
    groups: ['基本信息', '执业范围', '属地与位置', '许可与校验'],
  },
  practitioner: {
    key: 'practitioner', api: 'practitioners', label: '医务人员', list: '/registry/practitioners',
    fields: PRACTITIONER_FIELDS, stateVocab: 'practitioner_state',
    groups: ['基本信息', '执业信息', '权限', '定期考核'],
  },
};

// Labels of every field, for history entries and errors on fields a form does not show.
export function fieldLabelOf(kind, name) {
  const extra = { grid_id: '网格', version: '版本', sex: '性别', birth_date: '出生日期', id_masked: '身份证号' };
  return KINDS[kind].fields.find((f) => f.name === name)?.label ?? extra[name] ?? name;
}

// ---- code lists ----

export const vocab = reactive({ loaded: false, lists: {} });
let vocabPromise = null;

// Loads GET /api/v1/vocab once per page load; later calls share the answer.
export function loadVocab() {
  if (!vocabPromise) {
    vocabPromise = api.get('vocab').then((v) => {
      vocab.lists = v;
      vocab.loaded = true;
      return v;
    }).catch((e) => { vocabPromise = null; throw e; });
  }
  return vocabPromise;
}

export function vocabLabel(list, code) {
  if (code === null || code === undefined || code === '') return '';
  return vocab.lists[list]?.find((e) => e.code === code)?.label ?? code;
}

// ---- regions ----

const regionNames = reactive({});
const regionAsked = new Set();

// The Chinese name of a region code, fetched once (reactive: shows the code until it arrives).
export function regionName(code) {
  if (!code) return '';
  if (!regionAsked.has(code)) {
    regionAsked.add(code);
    api.get(`regions/${code}`, undefined, { quiet: true })
      .then((r) => { regionNames[code] = r.name; })
      .catch(() => { regionNames[code] = code; });
  }
  return regionNames[code] ?? code;
}

// The codes from below `root` down to `code`: the path a cascader rooted at root's children needs
// (330300, 330302001 → ['330302', '330302001']).
export function regionPath(code, root) {
  if (!code) return [];
  const steps = [code.slice(0, 2) + '0000', code.slice(0, 4) + '00', code.slice(0, 6), code];
  const out = [];
  for (const s of steps) {
    if (s.length > code.length || out.includes(s) || s === root) continue;
    if (root && !isBelow(s, root)) continue;
    out.push(s);
  }
  return out;
}

function isBelow(code, root) {
  const r = root.replace(/(00)+$/, '');
  return code !== root && code.startsWith(r);
}

// ---- values as people read them ----

export function formatValue(kind, field, value) {
  const f = typeof field === 'string' ? KINDS[kind].fields.find((x) => x.name === field) : field;
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return '—';
  if (!f) return String(value);
  switch (f.type) {
    case 'bool': return value ? '是' : '否';
    case 'code': return vocabLabel(f.vocab, value);
    case 'codes': return value.map((c) => vocabLabel(f.vocab, c)).join('、');
    case 'region': return `${regionName(value)}（${value}）`;
    case 'sex': return value === 'M' ? '男' : value === 'F' ? '女' : value;
    case 'int': return f.name === 'surgical_grade' ? `${value} 级` : f.name === 'beds' ? `${value} 张` : String(value);
    default: return String(value);
  }
}

// Element Plus tag colours for the states of both kinds.
export function stateTag(state) {
  return { active: 'success', suspended: 'warning', revoked: 'danger', closed: 'info', retired: 'info' }[state] ?? 'info';
}

export function formatTime(ms) {
  if (!ms) return '';
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// Tag colours of a licence's public status.
export function licenceStatusTag(s) {
  return { valid: 'success', suspended: 'warning', revoked: 'danger', expired: 'info' }[s] ?? 'info';
}

const instNames = reactive({});
const instAsked = new Set();

// The name of an institution by id, fetched once per page load (reactive, like regionName).
export function institutionName(id) {
  if (!id) return '';
  if (!instAsked.has(id)) {
    instAsked.add(id);
    api.get(`institutions/${id}`, undefined, { quiet: true })
      .then((r) => { instNames[id] = r.name; })
      .catch(() => { instNames[id] = `机构 ${id}`; });
  }
  return instNames[id] ?? '…';
}
export function rememberInstitution(i) {
  if (i?.id) { instAsked.add(i.id); instNames[i.id] = i.name; }
}
