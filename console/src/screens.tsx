import type { Screen } from './Shell';
import { Alerts, Balances, Receipt, Stocktakes, Transfers, WriteOff } from './pages/keeper';
import { ClaimPage, ClaimQueue, EventSettlement, Intake } from './pages/claims';
import { Imports, Periods } from './pages/admin';
import { PayoutFigures, Recoveries } from './pages/finance';
import { Lots, Quotas } from './pages/stock-rules';
import { Backups, LedgerAudit } from './pages/system';
import { Allocate, Allocations, Payouts, Reports, Users } from './pages/operations';

/** Every screen with the roles that see it: the same roles the API lets through for what the screen does. */
export const SCREENS: Screen[] = [
  { key: 'balances', title: '库存余额与台帐', group: '仓储', roles: ['keeper', 'admin', 'finance'], render: Balances },
  { key: 'receipt', title: '入库登记', group: '仓储', roles: ['keeper', 'admin'], render: Receipt },
  { key: 'write-off', title: '报损核销', group: '仓储', roles: ['keeper', 'admin'], render: WriteOff },
  { key: 'transfers', title: '仓库调拨', group: '仓储', roles: ['keeper', 'admin'], render: Transfers },
  { key: 'stocktake', title: '盘点', group: '仓储', roles: ['keeper', 'admin'], render: Stocktakes },
  { key: 'alerts', title: '临期与低于定额', group: '仓储', roles: ['keeper', 'admin', 'finance'], render: Alerts },
  { key: 'lots', title: '批次状态', group: '仓储', roles: ['keeper', 'admin', 'finance', 'dispatcher'], render: Lots },
  { key: 'quotas', title: '储备定额', group: '仓储', roles: ['keeper', 'admin', 'finance'], render: Quotas },
  { key: 'allocate', title: '物资包调拨', group: '调度', roles: ['dispatcher', 'admin'], render: Allocate },
  { key: 'allocations', title: '调拨单与拣货', group: '调度', roles: ['dispatcher', 'keeper', 'admin'], render: Allocations },
  { key: 'intake', title: '报案受理', group: '理赔', roles: ['assessor'], render: Intake },
  { key: 'claims', title: '案件列表', group: '理赔', roles: ['assessor', 'approver', 'finance', 'admin'], render: ClaimQueue },
  { key: 'claim', title: '案件详情', group: '理赔', roles: ['assessor', 'approver', 'finance', 'admin'], hidden: true, render: ClaimPage },
  { key: 'settlement', title: '事件结算', group: '财务', roles: ['finance'], render: EventSettlement },
  { key: 'payouts', title: '支付批次', group: '财务', roles: ['finance'], render: Payouts },
  { key: 'recoveries', title: '追偿', group: '财务', roles: ['finance', 'admin'], render: Recoveries },
  { key: 'payout-figures', title: '赔付统计与赔付率', group: '财务', roles: ['finance', 'admin'], render: PayoutFigures },
  { key: 'reports', title: '报表下载', group: '财务', roles: ['finance', 'keeper', 'admin'], render: Reports },
  { key: 'imports', title: '数据导入', group: '系统', roles: ['admin'], render: Imports },
  { key: 'periods', title: '会计期间', group: '系统', roles: ['admin', 'finance'], render: Periods },
  { key: 'ledger-audit', title: '台帐核验', group: '系统', roles: ['admin', 'finance'], render: LedgerAudit },
  { key: 'backups', title: '数据备份', group: '系统', roles: ['admin'], render: Backups },
  { key: 'users', title: '用户与权限', group: '系统', roles: ['admin'], render: Users },
];
