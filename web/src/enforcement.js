// enforcement.js — labels of the enforcement pages (行政处罚): states, actions and the fields each
// action's form asks for (the server checks them again: docs/enforcement.md).
export const CASE_STATES = {
  filed: '已立案', investigating: '调查取证', investigated: '调查终结', deliberated: '已合议', legal_reviewed: '已法制审核',
  discussed: '已集体讨论', notified: '已告知', hearing_requested: '已申请听证', heard: '已听证', decided: '已作出处罚决定',
  not_penalised: '不予处罚', served: '已送达', published: '已公示', enforcing: '已催告', paid: '已缴纳',
  court_applied: '已申请强制执行', closed: '已结案', transferred: '已移送', suspended: '已中止', revoked: '已撤销',
};

// Field kinds: text (one line), area (several lines), date, fen (amount in yuan, sent in fen), bool,
// people (comma-separated names or ids, sent as an array), kinds (penalty kinds), choice (options).
export const PENALTY_KINDS = { warning: '警告', fine: '罚款', confiscation: '没收违法所得、非法财物', suspend_practice: '暂停执业',
  revoke_licence: '吊销许可证件', detention_other: '其他' };
export const TIERS = { none: '不予处罚', mitigated: '减轻', lighter: '从轻', general: '一般', heavier: '从重' };
const officers = { key: 'participants', label: '参加人员（执法人员编号，逗号分隔）', kind: 'officers' };
export const ACTION_FIELDS = {
  investigate: [officers],
  add_evidence: [officers, { key: 'sha256', label: '证据文件 SHA-256', kind: 'text' },
    { key: 'evidence_kind', label: '证据类型', kind: 'choice', options: { photo: '照片', audio: '录音', video: '视频', document: '书证', record: '笔录' } },
    { key: 'description', label: '证据说明', kind: 'area' }],
  conclude: [officers, { key: 'facts', label: '违法事实', kind: 'area' }, { key: 'violation_code', label: '违法行为（裁量基准）', kind: 'benchmark' },
    { key: 'tier', label: '情节档次', kind: 'choice', options: TIERS }, { key: 'penalty_kinds', label: '处罚种类', kind: 'kinds' },
    { key: 'fine_fen', label: '罚款（元）', kind: 'fen' }, { key: 'deviation_reason', label: '超出裁量基准的理由', kind: 'area' },
    { key: 'serious', label: '重大案件（集体讨论）', kind: 'bool' }, { key: 't_complex', label: '案情复杂（法制审核）', kind: 'bool' }],
  deliberate: [{ key: 'participants', label: '合议人员（逗号分隔）', kind: 'people' }, { key: 'opinion', label: '合议意见', kind: 'area' },
    { key: 'conclusion', label: '合议结论', kind: 'area' }],
  legal_review: [{ key: 'opinion', label: '审核意见', kind: 'choice', options: { agree: '同意', amend: '修改', return: '退回' } },
    { key: 'reasons', label: '理由', kind: 'area' }],
  collective_discussion: [{ key: 'participants', label: '参加人员（逗号分隔，三人以上）', kind: 'people' },
    { key: 'opinion', label: '讨论意见', kind: 'area' }, { key: 'conclusion', label: '结论', kind: 'area' }],
  notify: [], request_hearing: [],
  hold_hearing: [{ key: 'held_on', label: '听证日期', kind: 'date' }, { key: 'transcript', label: '听证笔录摘要', kind: 'area' }],
  decide: [{ key: 'waived', label: '当事人书面放弃陈述申辩和听证', kind: 'bool' }],
  decide_no_penalty: [{ key: 'ground', label: '不予处罚理由', kind: 'choice', options: { minor_corrected: '轻微并及时改正',
    first_minor: '初次违法且危害后果轻微', facts_not_established: '违法事实不能成立', no_fault: '无主观过错', other: '其他' } }],
  serve: [{ key: 'method', label: '送达方式', kind: 'choice', options: { direct: '直接送达', left: '留置送达', post: '邮寄送达',
    electronic: '电子送达', entrusted: '委托送达', public_notice: '公告送达' } }, { key: 'served_on', label: '送达日期', kind: 'date' },
    { key: 'receiver', label: '签收人', kind: 'text' }, { key: 'refused', label: '拒绝签收', kind: 'bool' },
    { key: 'witness', label: '见证人', kind: 'text' }, { key: 'refusal_note', label: '拒收情况', kind: 'text' },
    { key: 'consent', label: '当事人已书面同意电子送达', kind: 'bool' }],
  publish: [],
  record_payment: [{ key: 'amount_fen', label: '缴款金额（元）', kind: 'fen' }, { key: 'paid_on', label: '缴款日期', kind: 'date' }],
  remind: [], apply_court: [{ key: 'court', label: '人民法院', kind: 'text' }],
  close: [{ key: 'summary', label: '结案报告摘要', kind: 'area' }],
  transfer: [{ key: 'to', label: '移送对象', kind: 'choice', options: { police: '公安机关', department: '其他部门' } },
    { key: 'receiving_org', label: '接收机关', kind: 'text' }, { key: 'reason', label: '移送理由', kind: 'area' }],
  suspend: [{ key: 'reason', label: '中止理由', kind: 'area' }], resume: [],
  extend: [{ key: 'reason_code', label: '延期理由', kind: 'choice', options: { force_majeure: '不可抗力', party_missing: '当事人下落不明',
    awaiting_ruling: '等待其他机关认定', dependent_case: '以相关案件结果为依据', assistance: '需司法或外地协助' } },
    { key: 'days', label: '延期天数', kind: 'int' }],
  revoke: [{ key: 'reason', label: '撤销理由', kind: 'area' }],
  change_decision: [{ key: 'reason', label: '变更理由', kind: 'area' }, { key: 'penalty_kinds', label: '处罚种类', kind: 'kinds' },
    { key: 'fine_fen', label: '罚款（元）', kind: 'fen' }],
};

// The form's values as the transition body.
export function actionBody(action, values, me) {
  const body = { action };
  for (const f of ACTION_FIELDS[action] ?? []) {
    const v = values[f.key];
    if (f.kind === 'bool') { if (v) body[f.key] = true; continue; }
    if (v === undefined || v === null || v === '') { if (f.kind === 'officers' && me) body[f.key] = me; continue; }
    if (f.kind === 'fen') body[f.key] = Math.round(Number(v) * 100);
    else if (f.kind === 'int') body[f.key] = Number(v);
    else if (f.kind === 'people' || f.kind === 'officers') body[f.key] = String(v).split(/[,，、\s]+/).filter(Boolean);
    else body[f.key] = v;
  }
  return body;
}

// 案件督办 and 行刑衔接 (docs/enforcement.md).
export const SUPERVISION_STATES = { active: '督办中', escalated: '已升级督办', lifted: '已解除' };
export const TRANSFER_STATES = {
  proposed: '待审批', not_approved: '不批准移送', approved: '已批准，待移送', sent: '已移送，待回执', received: '公安机关已接收',
  accepted: '公安机关已立案', not_accepted: '公安机关不予立案', reconsidering: '复议中', upheld: '复议维持不予立案', reversed: '复议后立案',
};

// 案件督办 and 行刑衔接 (POST cases/{id}/supervision and cases/{id}/police-transfer): each action's label, the
// states of the supervision or transfer it is offered from (null: none yet, or the last one ended), the roles
// that see it (the server checks office, officer and clocks again) and its fields, kinds as ACTION_FIELDS plus
// evidence (a file uploaded to the case, sent as the transfer's attachments).
export const TRANSFER_ATTACHMENT_KINDS = { investigation_report: '涉嫌犯罪案件情况的调查报告', item_list: '涉案物品清单',
  test_report: '检验报告或鉴定结论', other: '其他材料' };
const SUP_ENDED = [null, 'lifted'];
const TR_ENDED = [null, 'not_approved', 'accepted', 'upheld', 'reversed'];
export const OVERSIGHT_ACTIONS = [
  { route: 'supervision', action: 'start', label: '发起督办', from: SUP_ENDED, roles: ['leader'],
    fields: [{ key: 'reason', label: '督办理由', kind: 'area' }, { key: 'due_on', label: '督办期限', kind: 'date' }] },
  { route: 'supervision', action: 'report', label: '报送督办报告', from: ['active', 'escalated'], roles: ['inspector', 'leader'],
    fields: [{ key: 'progress', label: '案件办理进展', kind: 'area' }] },
  { route: 'supervision', action: 'lift', label: '解除督办', from: ['active', 'escalated'], roles: ['leader'],
    fields: [{ key: 'reason', label: '解除理由', kind: 'area' }] },
  { route: 'police-transfer', action: 'propose', label: '提请移送公安机关', from: TR_ENDED, roles: ['inspector'],
    fields: [{ key: 'reason', label: '涉嫌犯罪的事实', kind: 'area' }, { key: 'charge', label: '涉嫌罪名', kind: 'text' },
      { key: 'attachments', label: '移送材料（本案已上传的证据文件）', kind: 'evidence' }] },
  { route: 'police-transfer', action: 'approve', label: '批准移送', from: ['proposed'], roles: ['leader'],
    fields: [{ key: 'opinion', label: '审批意见', kind: 'area' }, { key: 'receiving_org', label: '接收的公安机关', kind: 'text' }] },
  { route: 'police-transfer', action: 'not_approve', label: '不批准移送', from: ['proposed'], roles: ['leader'],
    fields: [{ key: 'reason', label: '不批准的理由', kind: 'area' }] },
  { route: 'police-transfer', action: 'send', label: '移送（出具案件移送书）', from: ['approved'], roles: ['inspector', 'leader'], fields: [] },
  { route: 'police-transfer', action: 'receipt', label: '登记公安机关回执', from: ['sent'], roles: ['inspector', 'leader'],
    fields: [{ key: 'receipt_on', label: '签收日期', kind: 'date' }, { key: 'receipt_no', label: '回执编号', kind: 'text' }] },
  { route: 'police-transfer', action: 'police_decision', label: '登记公安机关决定', from: ['received'], roles: ['inspector', 'leader'],
    fields: [{ key: 'decision', label: '公安机关决定', kind: 'choice', options: { accepted: '立案', not_accepted: '不予立案' } },
      { key: 'decided_on', label: '决定日期', kind: 'date' }, { key: 'reason', label: '不予立案的理由', kind: 'area' }] },
  { route: 'police-transfer', action: 'reconsider', label: '提请复议', from: ['not_accepted'], roles: ['leader'],
    fields: [{ key: 'reason', label: '提请复议的理由', kind: 'area' }] },
  { route: 'police-transfer', action: 'reconsider_result', label: '登记复议决定', from: ['reconsidering'], roles: ['inspector', 'leader'],
    fields: [{ key: 'result', label: '复议决定', kind: 'choice', options: { upheld: '维持不予立案', reversed: '立案' } },
      { key: 'decided_on', label: '决定日期', kind: 'date' }] },
];
// The timeline's labels of the 督办 and 移送 steps (the server labels the procedure's own steps).
export const OVERSIGHT_STEP_LABELS = {
  supervise: '案件督办', supervision_report: '督办报告', supervision_lift: '解除督办', supervision_escalate: '升级督办',
  police_transfer_propose: '提请移送公安机关', police_transfer_approve: '批准移送', police_transfer_not_approve: '不批准移送',
  police_transfer_send: '移送公安机关', police_transfer_receipt: '公安机关回执', police_transfer_police_decision: '公安机关决定',
  police_transfer_reconsider: '提请复议', police_transfer_reconsider_result: '复议决定',
};
