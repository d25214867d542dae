// practitioners_data.mjs — a province's practitioners file for bench/import.mjs (BENCH_IMPORT_KIND=practitioners):
// Chinese headers and values as a provincial registry export has them, valid resident ID numbers (GB 11643 check
// digit, real Zhejiang county codes, births 1962–2001), certificate numbers of each category's layout, realistic
// names, and each row's 主要执业机构 by credit code, drawn with a weight by the institution's type (a hospital holds
// dozens of practitioners, a village clinic one or two) in no particular order, as a registry's export would list them.
import { residentId } from '../tests/api/codes.mjs';

export const PRACTITIONER_COLUMNS = ['姓名', '身份证号', '执业证书编码', '人员类别', '执业类别', '执业范围', '主要执业机构', '处方权',
  '抗菌药物处方权限', '手术分级权限', '医保医师', '定期考核结果', '定期考核日期', '执业状态'];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤应楼俞钭';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰晓峰婷雪梅浩宇欣怡子涵佳琪俊杰海燕文博立新建平丹丹';
const WEIGHT = { general_hospital: 60, outpatient_dept: 8, community_station: 8, dental_clinic: 4, clinic: 3, village_clinic: 2 };
const DAYS = 14600; // births over 40 years from 1962-01-01
const BIRTH0 = Date.UTC(1962, 0, 1);

// A deterministic generator (xorshift32), so two runs write the same file.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296; };
}

// What each category's row holds: its share of the province, 执业类别, 执业范围 and privileges.
const CATEGORIES = [
  { share: 0.38, cat: '医师', cert: (i, c) => `11${c}${String(i).padStart(7, '0')}`, types: [['临床', ['内科专业', '外科专业', '妇产科专业', '儿科专业', '全科医学专业', '急救医学专业', '医学影像和放射治疗专业', '眼耳鼻咽喉科专业']], ['中医', ['中医专业', '中西医结合专业']], ['口腔', ['口腔专业']], ['公共卫生', ['公共卫生类别专业']]], rx: true },
  { share: 0.04, cat: '执业助理医师', cert: (i, c) => `12${c}${String(i).padStart(7, '0')}`, types: [['临床', ['全科医学专业', '内科专业']], ['中医', ['中医专业']]], rx: true },
  { share: 0.45, cat: '护士', cert: (i) => `${2005 + (i % 20)}${String(i).padStart(8, '0')}`, types: [['护理', ['护理专业']]], rx: false },
  { share: 0.06, cat: '药师', cert: (i) => `YS33${String(i).padStart(9, '0')}`, types: [['药学', ['药学专业', '中药学专业']]], rx: false },
  { share: 0.07, cat: '医技人员', cert: (i) => `JS33${String(i).padStart(9, '0')}`, types: [['医学技术', ['医学检验专业', '医学影像技术专业', '康复治疗专业']]], rx: false },
];

function pick(r, list) { return list[Math.floor(r() * list.length)]; }

function category(r) {
  let u = r();
  for (const c of CATEGORIES) if ((u -= c.share) < 0) return c;
  return CATEGORIES[0];
}

// The rows (header first) of n practitioners of institutions [{ code, type, county }]; row i's ID number and
// certificate number are unique by construction (i is in both).
export function practitionerRows(institutions, n, seed = 15) {
  const r = rng(seed);
  const cum = [];
  let total = 0;
  for (const inst of institutions) cum.push(total += WEIGHT[inst.type] ?? 3);
  const lines = [PRACTITIONER_COLUMNS.join(',')];
  for (let i = 0; i < n; i++) {
    const w = r() * total;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid] > w) hi = mid; else lo = mid + 1; }
    const inst = institutions[lo];
    // (birth day, sequence) taken from i through a bijection of [0, DAYS × 1000), so no two rows share a number
    const j = (i * 7919) % (DAYS * 1000);
    const birth = new Date(BIRTH0 + Math.floor(j / 1000) * 86400000).toISOString().slice(0, 10).replaceAll('-', '');
    const id = residentId(`${pick(r, institutions).county}${birth}${String(j % 1000).padStart(3, '0')}`);
    const given = pick(r, GIVEN) + (r() < 0.7 ? pick(r, GIVEN) : '');
    const c = category(r);
    const [ptype, scopes] = pick(r, c.types);
    const surgical = c.cat === '医师' && ptype === '临床' ? String(Math.floor(r() * 5)) : '0';
    const antibiotic = c.rx ? pick(r, ['非限制使用级', '非限制使用级', '限制使用级', '特殊使用级']) : '无';
    const assessed = `${2023 + Math.floor(r() * 2)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
    lines.push([pick(r, SURNAMES) + given, id, c.cert(i, inst.county), c.cat, ptype, pick(r, scopes), inst.code, c.rx ? '是' : '否',
      antibiotic, surgical, c.rx && r() < 0.8 ? '是' : '否', r() < 0.97 ? '合格' : '待考核', assessed,
      r() < 0.98 ? '正常执业' : '暂停执业'].join(','));
  }
  return lines;
}
