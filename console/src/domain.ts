/** Labels and checks shared by the screens. */
export type Role = 'admin' | 'keeper' | 'dispatcher' | 'assessor' | 'approver' | 'finance';
export interface Actor {
  id: string;
  name: string;
  role: Role;
  warehouses: string[];
}

export const ROLE_ZH: Record<Role, string> = {
  admin: '系统管理员', keeper: '保管员', dispatcher: '调度员', assessor: '查勘定损员', approver: '审批人', finance: '财务',
};

export const CLAIM_STATUS_ZH: Record<string, string> = {
  REPORTED: '已报案', SURVEYED: '已查勘', ASSESSED: '已定损待审批', PENDING_SECOND_APPROVAL: '待复核审批', HELD: '暂缓',
  APPROVED: '已批准', PAID: '已赔付', CLOSED: '已结案', RETURNED: '已退回', REJECTED: '已拒赔', WITHDRAWN: '已撤案',
};

export const PRODUCTS: { code: string; name: string }[] = [
  { code: 'PUBLIC_LIABILITY', name: '灾害公众责任保险' }, { code: 'EMERGENCY_RESPONSE', name: '突发事件应对' },
  { code: 'STAMPEDE', name: '踩踏救助' }, { code: 'CRIMINAL_INJURY', name: '重大恶性案件伤害' },
  { code: 'BRAVE_DEED', name: '见义勇为' }, { code: 'VOLUNTEER', name: '志愿活动' },
];

export const ALLOCATION_STATUS_ZH: Record<string, string> = {
  AWAITING_OVERRIDE: '待特批', RESERVED: '已预留', PARTIALLY_DISPATCHED: '部分发运', DISPATCHED: '已发运', DELIVERED: '已送达', CANCELLED: '已取消', EXPIRED: '预留已过期',
};

export const TRANSFER_STATUS_ZH: Record<string, string> = { IN_TRANSIT: '在途', RECEIVED: '已接收', CANCELLED: '已取消', SETTLED: '已结清' };

export const BATCH_STATUS_ZH: Record<string, string> = { OPEN: '待下载代发文件', SENT: '已送银行待回单', CONFIRMED: '已确认', CANCELLED: '已取消' };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11643 resident ID: why it is wrong, or null when it is valid (the service checks again). */
export function residentIdProblem(id: string): string | null {
  if (!id) return null;
  if (!/^\d{17}[\dX]$/.test(id)) return id.length !== 18 ? `应为 18 位（已输入 ${id.length} 位）` : '前 17 位应为数字，末位为数字或 X';
  const [y, m, d] = [Number(id.slice(6, 10)), Number(id.slice(10, 12)), Number(id.slice(12, 14))];
  const born = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d || born.getTime() > Date.now()) return `出生日期 ${id.slice(6, 14)} 无效`;
  const sum = WEIGHTS.reduce((total, weight, i) => total + weight * Number(id[i]), 0);
  const check = '10X98765432'[sum % 11];
  return check === id[17] ? null : `校验位应为 ${check}，请核对号码`;
}

/** A quantity within the unit's scale (decimal places), as the ledger accepts it; null when fine. */
export function quantityProblem(text: string, scale: number): string | null {
  if (!text) return '请填写数量';
  if (!/^\d+(\.\d+)?$/.test(text)) return '数量应为正数，如 12 或 3.5';
  const decimals = text.split('.')[1]?.length ?? 0;
  if (decimals > scale) return scale === 0 ? '该物资按整数计量，不能有小数' : `该物资最多 ${scale} 位小数`;
  if (/^0+(\.0+)?$/.test(text)) return '数量应大于 0';
  return null;
}

export const today = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/** Quantities stay exact on screen too: decimal strings as integers of thousandths (the largest unit scale is 3). */
const UNITS = 1000n;
function toUnits(text: string): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const units = BigInt(whole || '0') * UNITS + BigInt((fraction + '000').slice(0, 3));
  return negative ? -units : units;
}
function fromUnits(units: bigint): string {
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  const fraction = (abs % UNITS).toString().padStart(3, '0').replace(/0+$/, '');
  return `${sign}${abs / UNITS}${fraction ? `.${fraction}` : ''}`;
}
export const minus = (a: string, b: string): string => fromUnits(toUnits(a) - toUnits(b));
export const times = (a: string, n: number): string => fromUnits(toUnits(a) * BigInt(n));
