// credit.js — labels of the credit module's codes (src/credit, docs/credit.md) for the console.
export const GRADE_TAGS = { A: 'success', B: 'primary', C: 'warning', D: 'danger' };
export const LISTS = { red: '红榜', black: '黑榜', serious: '严重失信主体名单' };
export const POINT_STATES = { notified: '已告知', appealed: '申辩中', confirmed: '已确认', void: '已撤销' };
export const RECORD_CATEGORIES = { licence: '行政许可', penalty: '行政处罚', inspection: '监督检查', points: '记分',
  complaint: '投诉举报', commendation: '表彰奖励' };
export const RECORD_STATES = { active: '公示中', void: '已撤销', repaired: '已修复', expired: '公示期满' };
export const CONSEQUENCE_STATES = { in_force: '执行中', lifted: '已解除', ended: '已届满' };
export const REPAIR_STATES = { applied: '待审核', approved: '准予修复', rejected: '不予修复' };
