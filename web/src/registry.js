// registry.js — what the registry pages share: the two kinds of subject (their fields as the
// server describes them in GET /api/v1/registry/kinds/{kind}/fields, laid out into groups with the
// console's widgets), the code lists from GET /api/v1/vocab, region, institution and grid names,
// and how values are shown.
import { reactive } from 'vue';
import { api } from './api.js';

// The server owns the fields: which exist, their labels, types (text | int | bool | date | code |
// codes | region | ref | coord), required, max and code list. The console only says where each
// goes and how its input looks — the heading it is shown under (a field the layout does not name
// goes under 其他信息, so a field added on the server still appears) and these presentation hints:
//   wide: a whole form row; mono: monospace; upper: typed in upper case; hint: a line below the input;
//   inputOnly: accepted but not stored as such (the clear ID number, a grid code);
//   show: display as this type (a derived region code the server calls text);
//   adminOnly: administrators only; requiredOnCreate: refused when missing on create by the kind's
//   own check rather than the field table; min/maxv: the range of a coordinate input.
const LAYOUT = {
  institution: {
    基本信息: {
      name: { wide: true },
      credit_code: { mono: true, upper: true, hint: '18 位，末位为校验码（GB 32100-2015）' },
      licence_no: { mono: true, upper: true, hint: '22 位数字或大写字母' },
      type: {}, level: {}, grade: {}, ownership: {}, profit: {}, state: {}, insurance_designated: {},
    },
    执业范围: { clinical_depts: { wide: true }, equipment: { wide: true }, beds: {} },
    属地与位置: {
      region_code: {},
      grid_id: {},
      grid_code: { inputOnly: true, mono: true, hint: '网格页可查网格编码；不改网格请留空' },
      address: { wide: true },
      lng: { min: 73, maxv: 136, hint: '可不填；GCJ-02' },
      lat: { min: 3, maxv: 54, hint: '可不填；GCJ-02' },
    },
    许可与校验: {
      licence_valid_from: {}, licence_valid_to: {}, verified_on: {}, verify_due: {},
      credit_code_override: { wide: true, adminOnly: true, hint: '仅管理员：早期试点代码确属有效但未通过校验时填写' },
    },
  },
  practitioner: {
    基本信息: {
      name: {},
      id_number: { mono: true, upper: true, inputOnly: true, requiredOnCreate: true,
        hint: '18 位，末位为校验码（GB 11643-1999）；加密存储，只显示脱敏号码' },
      // what the server's fields description lists for the caller's role (docs/security.md): the
      // birth year in place of the date, and nothing of these for some roles
      id_masked: { mono: true }, sex: {}, birth_date: {}, birth_year: {},
    },
    执业信息: {
      certificate_no: { mono: true, upper: true, hint: '8–30 位数字或大写字母' },
      category: {}, practice_type: {}, practice_scope: {}, institution_id: { wide: true }, region_code: { show: 'region' }, state: {},
    },
    权限: { prescription_right: {}, antibiotic_grade: {}, surgical_grade: { hint: '0–4 级' }, insurance_physician: {} },
    定期考核: { assessment_result: {}, assessment_date: {} },
  },
};
const OTHER_GROUP = '其他信息';
// Every other kind of subject (公共场所、供水单位 … GET /api/v1/registry/kinds) shares one head of fields
// (docs/registry.md); its own fields follow under OWN_GROUP. No per-kind layout: a kind added on the
// server gets its pages without a console change.
const HEAD_LAYOUT = {
  基本信息: {
    name: { wide: true },
    credit_code: { mono: true, upper: true, hint: '18 位，末位为校验码（GB 32100-2015）' },
    category: {}, legal_rep: {}, state: {},
  },
  属地与位置: {
    region_code: {},
    address: { wide: true },
    lng: { min: 73, maxv: 136, hint: '可不填；GCJ-02' },
    lat: { min: 3, maxv: 54, hint: '可不填；GCJ-02' },
  },
};
const OWN_GROUP = '监管信息';

export const KINDS = reactive({
  institution: {
    key: 'institution', api: 'institutions', label: '医疗机构', list: '/registry/institutions',
    stateVocab: 'institution_state', fields: [], groups: [], loaded: false,
  },
  practitioner: {
    key: 'practitioner', api: 'practitioners', label: '医务人员', list: '/registry/practitioners',
    stateVocab: 'practitioner_state', fields: [], groups: [], loaded: false,
  },
});

// The entry of any kind: institutions and practitioners have theirs; another kind's is made on first
// use (its records at /api/v1/subjects/{kind}, its pages under /registry/subjects/{kind}/…).
export function kindOf(kind) {
  if (!KINDS[kind]) {
    KINDS[kind] = {
      key: kind, api: `subjects/${kind}`, label: '', list: `/registry/subjects?kind=${kind}`,
      stateVocab: 'subject_state', fields: [], groups: [], loaded: false, other: true,
    };
  }
  return KINDS[kind];
}

// The route of a record's page (action: detail | edit | new): named per kind for institutions and
// practitioners, one parameterised set for the other kinds.
export function recordRoute(kind, action, id) {
  if (KINDS[kind] && !KINDS[kind].other) return { name: `${kind}-${action}`, params: id ? { id } : {} };
  return { name: `subject-${action}`, params: id ? { kind, id } : { kind } };
}

// Server fields and derived columns → the console's field list in layout order, each with
// group and hints. Derived columns (shown, never sent) carry derived: true.
function arrange(kind, desc) {
  const layout = LAYOUT[kind] ?? HEAD_LAYOUT;
  const rest = LAYOUT[kind] ? OTHER_GROUP : OWN_GROUP;
  const all = [...desc.fields.map((f) => ({ ...f })), ...desc.derived.map((d) => ({ ...d, derived: true }))];
  const byName = new Map(all.map((f) => [f.name, f]));
  const out = [];
  for (const [group, names] of Object.entries(layout)) {
    for (const [name, hints] of Object.entries(names)) {
      const f = byName.get(name);
      if (!f) continue; // the server no longer has it
      byName.delete(name);
      out.push({ ...f, ...hints, group, required: !!(f.required || hints.requiredOnCreate) });
    }
  }
  for (const f of byName.values()) out.push({ ...f, group: rest });
  return out;
}

const kindPromises = {};

// Loads a kind's field descriptions once per page load; pages wait for it before drawing fields.
export function loadKind(kind) {
  if (!kindPromises[kind]) {
    kindPromises[kind] = api.get(`registry/kinds/${kind}/fields`).then((desc) => {
      const K = kindOf(kind);
      K.label = desc.label || K.label;
      K.fields = arrange(kind, desc);
      K.groups = [...Object.keys(LAYOUT[kind] ?? HEAD_LAYOUT), LAYOUT[kind] ? OTHER_GROUP : OWN_GROUP]
        .filter((g) => K.fields.some((f) => f.group === g));
      K.loaded = true;
      return K;
    }).catch((e) => { kindPromises[kind] = null; throw e; });
  }
  return kindPromises[kind];
}

// Labels of every field, for history entries and errors on fields a form does not show (the
// record's version is not a field of the kind).
export function fieldLabelOf(kind, name) {
  if (name === 'version') return '版本';
  return kindOf(kind).fields.find((f) => f.name === name)?.label ?? name;
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
// The county (县、市、区) of a county or town code: its first six digits.
export const countyOf = (code) => (code && code.length >= 6 ? code.slice(0, 6) : '');
// Whether the signed-in user's territory spans several counties (a city or province): lists then show
// the county beside the town.
export const aboveCounty = (user) => !!user && user.region_code.length === 6 && user.region_code.endsWith('00');

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
  const f = typeof field === 'string' ? kindOf(kind).fields.find((x) => x.name === field) : field;
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return '—';
  if (!f) return String(value);
  if (f.name === 'sex') return value === 'M' ? '男' : value === 'F' ? '女' : value;
  switch (f.show ?? f.type) {
    case 'bool': return value ? '是' : '否';
    case 'code': return vocabLabel(f.vocab, value);
    case 'codes': return value.map((c) => vocabLabel(f.vocab, c)).join('、');
    case 'region': return `${regionName(value)}（${value}）`;
    case 'ref': return f.name === 'grid_id' ? gridLabel(value) : f.name === 'institution_id' ? institutionName(value) : String(value);
    case 'int': return f.name === 'surgical_grade' ? `${value} 级` : f.name === 'beds' ? `${value} 张` : f.name === 'birth_year' ? `${value} 年` : String(value);
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

const grids = reactive({});
const gridAsked = new Set();

// A grid by id as people read it, 名称（编码）, fetched once per page load (reactive).
export function gridLabel(id) {
  if (!id) return '';
  if (!gridAsked.has(id)) {
    gridAsked.add(id);
    api.get(`grids/${id}`, undefined, { quiet: true })
      .then((g) => { grids[id] = g; })
      .catch(() => { grids[id] = null; });
  }
  const g = grids[id];
  return g ? `${g.name}（${g.code}）` : g === null ? `网格 ${id}` : '…';
}
export function gridOf(id) { gridLabel(id); return grids[id] ?? null; }
export function rememberGrid(g) {
  if (g?.id) { gridAsked.add(g.id); grids[g.id] = g; }
}
