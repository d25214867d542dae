// complaints.js — what the complaint pages share: state, channel and satisfaction labels and the
// departments' names (GET /api/v1/departments).
import { ref } from 'vue';
import { api } from './api.js';

export const STATES = { received: '已登记，待分派', dispatched: '已分派，待受理', accepted: '办理中', replied: '已答复',
  closed: '已办结', merged: '已合并办理', rejected: '不予受理' };
export const CHANNELS = { web: '网上', phone: '来电', walk_in: '来访', letter: '来信', hotline: '12345', open311: 'Open311' };
export const TAG = { received: 'warning', dispatched: 'warning', accepted: 'primary', replied: 'success', closed: 'success',
  merged: 'info', rejected: 'info' };
export const SATISFACTION = { satisfied: '满意', basically: '基本满意', unsatisfied: '不满意' };
export const STEPS = { received: '登记', dispatched: '分派', accepted: '受理', paused: '暂停计时', resumed: '恢复办理',
  replied: '答复', fed_back: '反馈卫健委', closed: '回访办结', merged: '合并办理', rejected: '不予受理', returned: '退回',
  referred: '转为案源', supervised: '督办' };

const departments = ref(null);
export function useDepartments() {
  if (!departments.value) {
    departments.value = [];
    api.get('departments').then((r) => { departments.value = r.items ?? r; }).catch(() => {});
  }
  const deptName = (code) => departments.value?.find?.((d) => d.code === code)?.name ?? code;
  return { departments, deptName };
}
