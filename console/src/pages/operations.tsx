import { Alert, App, Button, Card, Checkbox, DatePicker, Descriptions, Form, Input, InputNumber, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, call, type Page } from '../api/client';
import type { components, paths } from '../api/schema';
import { categoryLabel, useCatalog } from '../catalog';
import { ALLOCATION_STATUS_ZH, BATCH_STATUS_ZH, PRODUCTS, ROLE_ZH, minus, quantityProblem, times, today, type Role } from '../domain';
import { useAction, useLoad } from '../hooks';
import type { ScreenProps } from '../Shell';
import { CancelBatch, ReturnFile, ReturnPayment } from './finance';

interface Pick { warehouse: string; lot: string | null; expiresOn: string | null; quantity: string; open: string; dispatched: string }
interface Allocation {
  id: string; number: string; status: string; destination: { name: string; district: string | null } | string; district?: string; priority: number; createdAt: string; expiresAt: string;
  kit?: { code: string; people: number } | null; emergencyOverride?: { reason: string; approvedBy: string | null } | null;
  lines: { category: string; requested: string; reserved: string; shortfall: string; dispatched: string; picks: Pick[] }[];
}
interface Kit { code: string; name: string; per: number; lines: { category: string; quantity: string }[] }

const destName = (a: Allocation) => (typeof a.destination === 'string' ? a.destination : a.destination.name);

type Preview = components['schemas']['AllocationPreview'];
type AllocationBody = NonNullable<paths['/allocations']['post']['requestBody']>['content']['application/json'];
interface AllocateForm { kit: string; people: number; destination: string; district?: string; lat?: string; lon?: string; priority: number; allOrNothing?: boolean; override?: string }

const OUTCOME_ZH: Record<Preview['outcome'], string> = { RESERVED: '可预留', AWAITING_OVERRIDE: '待特批', INSUFFICIENT_STOCK: '库存不足，不能预留' };

function bodyOf(v: AllocateForm): AllocationBody {
  const override = v.override?.trim();
  const lat = v.lat?.trim();
  const lon = v.lon?.trim();
  return {
    destination: { name: v.destination.trim(), ...(v.district?.trim() ? { district: v.district.trim() } : {}), ...(lat && lon ? { lat, lon } : {}) },
    kit: { code: v.kit, people: v.people }, priority: v.priority, allOrNothing: !!v.allOrNothing,
    ...(override ? { emergencyOverride: { reason: override } } : {}),
  };
}

/** Brings a card that has just appeared into view: at 1366×768 it starts below the form. */
const scrollSoon = (id: string) => setTimeout(() => document.getElementById(id)?.scrollIntoView({ block: 'start' }), 50);

const COORDINATE = /^-?(0|[1-9]\d*)(\.\d{1,6})?$/;

/**
 * Kit allocation: what a kit for N people needs, then the plan the service would make (warehouses, lots,
 * distances, shortfalls) without reserving anything; 确认预留 sends the same input and shows the order.
 */
export function Allocate(_: ScreenProps) {
  const { categories } = useCatalog();
  const kits = useLoad(() => call<Page<Kit>>(api.GET('/kits')), []);
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const [form] = Form.useForm<AllocateForm>();
  const kitCode = Form.useWatch('kit', form) as string | undefined;
  const people = (Form.useWatch('people', form) as number | undefined) ?? 0;
  const kit = kits.data?.items.find((k) => k.code === kitCode);
  const [preview, setPreview] = useState<{ body: AllocationBody; plan: Preview } | null>(null);
  const [order, setOrder] = useState<Allocation | null>(null);
  const needs = kit ? kit.lines.map((l) => ({ category: l.category, quantity: times(l.quantity, Math.ceil(people / kit.per)) })) : [];
  const plan = async (v: AllocateForm) => {
    const body = bodyOf(v);
    const reply = await run(() => call<Preview>(api.POST('/allocations', { params: { query: { dryRun: 'true' } }, body })));
    if (reply) { setPreview({ body, plan: reply }); setOrder(null); scrollSoon('allocation-preview'); }
  };
  const reserve = async () => {
    if (!preview) return;
    const reply = await run(() => call<Allocation>(api.POST('/allocations', { params: { query: { dryRun: 'false' } }, body: preview.body })));
    if (reply) { setOrder(reply); setPreview(null); message.success(`调拨单 ${reply.number} 已创建`); scrollSoon('allocation-order'); }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card title="按物资包调拨">
        <Form form={form} layout="vertical" onFinish={plan} initialValues={{ people: 100, priority: 3 }} onValuesChange={() => setPreview(null)}>
          <Space wrap align="start">
            <Form.Item label="物资包" name="kit" rules={[{ required: true, message: '请选择物资包' }]}><Select style={{ width: 240 }} loading={kits.loading} aria-label="物资包" options={(kits.data?.items ?? []).map((k) => ({ value: k.code, label: `${k.name}（每 ${k.per} 人）` }))} /></Form.Item>
            <Form.Item label="受助人数" name="people" rules={[{ required: true, message: '请填写人数' }]}><InputNumber min={1} max={10_000_000} precision={0} aria-label="受助人数" /></Form.Item>
            <Form.Item label="目的地（安置点）" name="destination" rules={[{ required: true, whitespace: true, message: '请填写目的地' }]}><Input style={{ width: 200 }} aria-label="目的地" /></Form.Item>
            <Form.Item label="区（市）" name="district"><Input style={{ width: 110 }} aria-label="区（市）" placeholder="如 市南区" /></Form.Item>
            <Form.Item label="纬度" name="lat" dependencies={['lon']} tooltip="填写坐标后按实际距离就近选仓并显示距离；不填则先本区仓库、再市级仓库"
              rules={[{ pattern: COORDINATE, message: '如 36.066900' }, ({ getFieldValue }) => ({ validator: (_r, v) => (!v === !getFieldValue('lon') ? Promise.resolve() : Promise.reject(new Error('经纬度须同时填写'))) })]}>
              <Input style={{ width: 110 }} aria-label="纬度" placeholder="36.066900" />
            </Form.Item>
            <Form.Item label="经度" name="lon" dependencies={['lat']} rules={[{ pattern: COORDINATE, message: '如 120.382600' }]}><Input style={{ width: 110 }} aria-label="经度" placeholder="120.382600" /></Form.Item>
            <Form.Item label="优先级" name="priority"><Select style={{ width: 110 }} options={[1, 2, 3, 4, 5].map((p) => ({ value: p, label: `${p}${p === 1 ? '（最急）' : ''}` }))} /></Form.Item>
          </Space>
          <Space wrap align="start">
            <Form.Item name="allOrNothing" valuePropName="checked"><Checkbox>不足时整单不预留</Checkbox></Form.Item>
            <Form.Item label="紧急特批（缺口可动用定额保护库存，须另一调度员或管理员批准）" name="override"><Input style={{ width: 420 }} placeholder="填写特批理由；不需要特批则留空" /></Form.Item>
          </Space>
          {kit && !preview && (
            <Table size="small" rowKey="category" pagination={false} style={{ marginBottom: 12 }} title={() => `需求测算：${people} 人需 ${Math.ceil(people / kit.per)} 份「${kit.name}」`}
              dataSource={needs} columns={[{ title: '物资', render: (_, l) => categoryLabel(categories.get(l.category), l.category) }, { title: '需求数量', dataIndex: 'quantity', align: 'right' }, { title: '单位', render: (_, l) => categories.get(l.category)?.unit }]} />
          )}
          <div><Button type="primary" htmlType="submit" loading={busy}>生成调拨方案（不预留）</Button></div>
        </Form>
      </Card>
      {preview && <PreviewView plan={preview.plan} busy={busy} onReserve={reserve} onDiscard={() => setPreview(null)} />}
      {order && <div id="allocation-order"><PlanView allocation={order} onChange={setOrder} /></div>}
    </Space>
  );
}

/** The plan before anything is reserved: per line what would be reserved and the shortfall; per pick the warehouse, lot, expiry and distance. */
function PreviewView({ plan, busy, onReserve, onDiscard }: { plan: Preview; busy: boolean; onReserve: () => void; onDiscard: () => void }) {
  const { categories } = useCatalog();
  type Line = Preview['lines'][number];
  type Row = { key: string; line: Line; pick: Line['picks'][number] | null; first: boolean; span: number };
  const rows: Row[] = plan.lines.flatMap((l): Row[] => (l.picks.length ? l.picks.map((p, i) => ({ key: `${l.category}-${i}`, line: l, pick: p, first: i === 0, span: l.picks.length })) : [{ key: l.category, line: l, pick: null, first: true, span: 1 }]));
  const short = plan.lines.filter((l) => Number(l.shortfall) > 0).length;
  const lineCell = (r: Row) => ({ rowSpan: r.first ? r.span : 0 });
  const unit = (l: Line) => categories.get(l.category)?.unit ?? '';
  const warning = plan.outcome === 'INSUFFICIENT_STOCK'
    ? (plan.allOrNothing ? `${short} 种物资库存不足，已选“不足时整单不预留”，不能预留；可取消该选项预留现有库存，或填写紧急特批理由。` : '可用库存为零，不能预留；可填写紧急特批理由。')
    : short > 0
      ? plan.outcome === 'AWAITING_OVERRIDE'
        ? `${short} 种物资有缺口；确认后调拨单待特批，批准后从定额保护库存补足${plan.reservesNow ? '' : '（批准前不预留）'}。`
        : `${short} 种物资有缺口（红色），确认后只预留现有部分；缺口可另行调拨或申请特批。`
      : null;
  return (
    <Card id="allocation-preview" title={<Space>调拨方案（尚未预留）<Tag color={plan.outcome === 'INSUFFICIENT_STOCK' ? 'red' : short ? 'orange' : 'green'}>{OUTCOME_ZH[plan.outcome]}</Tag></Space>}
      extra={<Space><Button onClick={onDiscard}>放弃</Button><Button type="primary" onClick={onReserve} loading={busy} disabled={plan.outcome === 'INSUFFICIENT_STOCK'}>确认预留</Button></Space>}>
      {warning && <Alert type={plan.outcome === 'INSUFFICIENT_STOCK' ? 'error' : 'warning'} showIcon style={{ marginBottom: 12 }} message={warning} />}
      <p style={{ margin: '0 0 8px' }}>
        目的地：{plan.destination.name}{plan.destination.district ? `（${plan.destination.district}）` : ''}；出库仓库（由近及远）：
        {plan.warehouses.length ? plan.warehouses.map((w) => `${w.name}${w.distanceKm ? ` ${w.distanceKm} km` : ''}`).join('、') : '无'}
        {plan.destination.lat === null && plan.warehouses.length > 0 ? '（未填坐标，按区就近，不显示距离）' : ''}
      </p>
      <Table<Row> size="small" pagination={false} dataSource={rows} scroll={{ x: 900 }} columns={[
        { title: '物资', render: (_, r) => r.line.name || categoryLabel(categories.get(r.line.category), r.line.category), onCell: lineCell },
        { title: '需求', render: (_, r) => `${r.line.requested} ${unit(r.line)}`, align: 'right', onCell: lineCell },
        { title: '拟预留', render: (_, r) => r.line.reserved, align: 'right', onCell: lineCell },
        { title: '缺口', render: (_, r) => (Number(r.line.shortfall) > 0 ? <b style={{ color: '#cf1322' }}>{r.line.shortfall}</b> : '0'), align: 'right', onCell: lineCell },
        { title: '出库仓库', render: (_, r) => r.pick?.warehouseName ?? <span style={{ color: '#cf1322' }}>无可用库存</span> },
        { title: '距离', render: (_, r) => (r.pick?.distanceKm ? `${r.pick.distanceKm} km` : '—'), align: 'right' },
        { title: '批号', render: (_, r) => r.pick?.lot ?? '—' },
        { title: '有效期至', render: (_, r) => r.pick?.expiresOn ?? '—' },
        { title: '本仓数量', render: (_, r) => r.pick?.quantity ?? '—', align: 'right' },
      ]} />
    </Card>
  );
}

function PlanView({ allocation, onChange }: { allocation: Allocation; onChange: (a: Allocation | null) => void }) {
  const { categories, warehouses } = useCatalog();
  const warehouseName = (code: string) => warehouses.find((w) => w.code === code)?.name ?? code;
  const [busy, run] = useAction();
  const { message } = App.useApp();
  // A shortfall is something to act on only while the order still reserves; once dispatched the table shows what went.
  const shortfall = ['RESERVED', 'AWAITING_OVERRIDE'].includes(allocation.status) && allocation.lines.some((l) => Number(l.shortfall) > 0);
  const cancel = async () => {
    const reply = await run(() => call<Allocation>(api.POST('/allocations/{id}/cancel', { params: { path: { id: allocation.id } }, body: { reason: '调度员取消' } })));
    if (reply) { message.success('已取消，预留已释放'); onChange(reply); }
  };
  const approve = async () => {
    const reply = await run(() => call<Allocation>(api.POST('/allocations/{id}/approve-override', { params: { path: { id: allocation.id } } })));
    if (reply) onChange(reply);
  };
  type Row = { key: string; line: Allocation['lines'][number]; pick: Pick | null; first: boolean; span: number };
  const rows: Row[] = allocation.lines.flatMap((l): Row[] => (l.picks.length ? l.picks.map((p, i) => ({ key: `${l.category}-${i}`, line: l, pick: p, first: i === 0, span: l.picks.length })) : [{ key: l.category, line: l, pick: null, first: true, span: 1 }]));
  return (
    <Card title={<Space>调拨单 {allocation.number}<Tag color="blue">{ALLOCATION_STATUS_ZH[allocation.status] ?? allocation.status}</Tag></Space>}
      extra={<Space>{allocation.status === 'AWAITING_OVERRIDE' && <Button onClick={approve} loading={busy}>批准特批</Button>}{['RESERVED', 'AWAITING_OVERRIDE'].includes(allocation.status) && <Button danger onClick={cancel} loading={busy}>取消并释放预留</Button>}</Space>}>
      {shortfall && <Alert type="warning" showIcon style={{ marginBottom: 12 }} message="部分物资库存不足，缺口见下表；可另行调拨或申请特批。" />}
      <p>目的地：{destName(allocation)}{['RESERVED', 'AWAITING_OVERRIDE', 'PARTIALLY_DISPATCHED'].includes(allocation.status) ? `；预留有效至 ${allocation.expiresAt?.replace('T', ' ').slice(0, 16)}` : ''}</p>
      <Table<Row> size="small" pagination={false} dataSource={rows} scroll={{ x: 800 }} columns={[
        { title: '物资', render: (_, r) => categoryLabel(categories.get(r.line.category), r.line.category), onCell: (r) => ({ rowSpan: r.first ? r.span : 0 }) },
        { title: '需求', render: (_, r) => r.line.requested, align: 'right', onCell: (r) => ({ rowSpan: r.first ? r.span : 0 }) },
        { title: '出库仓库', render: (_, r) => (r.pick ? warehouseName(r.pick.warehouse) : '—') },
        { title: '批号', render: (_, r) => r.pick?.lot ?? '—' },
        { title: '有效期', render: (_, r) => r.pick?.expiresOn ?? '—' },
        { title: '预留', render: (_, r) => r.pick?.quantity ?? '0', align: 'right' },
        { title: '缺口', render: (_, r) => (Number(r.line.shortfall) > 0 ? <b style={{ color: '#cf1322' }}>{r.line.shortfall}</b> : '0'), align: 'right', onCell: (r) => ({ rowSpan: r.first ? r.span : 0 }) },
      ]} />
    </Card>
  );
}

/** Open reservations, and the pick lists a keeper dispatches from. */
export function Allocations({ actor }: ScreenProps) {
  const [status, setStatus] = useState<string>('RESERVED');
  const { data, loading, reload } = useLoad(() => call<Page<Allocation>>(api.GET('/allocations', { params: { query: { status: status as 'RESERVED', limit: 200 } } })), [status]);
  const [shown, setShown] = useState<Allocation | null>(null);
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const show = async (id: string) => {
    const full = await run(() => call<Allocation>(api.GET('/allocations/{id}', { params: { path: { id } } })));
    if (full) setShown(full);
  };
  const dispatch = async (a: Allocation, warehouse: string) => {
    const reply = await run(() => call(api.POST('/allocations/{id}/dispatch', { params: { path: { id: a.id } }, body: { warehouse } })));
    if (reply) { message.success(`${warehouse} 已按拣货单出库`); setShown(null); reload(); }
  };
  const warehousesOf = (a: Allocation) => [...new Set(a.lines.flatMap((l) => l.picks.filter((p) => Number(p.open) > 0).map((p) => p.warehouse)))].filter((w) => actor.role !== 'keeper' || actor.warehouses.includes(w));
  return (
    <Card>
      <Tabs activeKey={status} onChange={setStatus} items={['RESERVED', 'AWAITING_OVERRIDE', 'PARTIALLY_DISPATCHED', 'DISPATCHED', 'DELIVERED', 'CANCELLED'].map((s) => ({ key: s, label: ALLOCATION_STATUS_ZH[s] }))} />
      <Table<Allocation> size="small" rowKey="id" loading={loading} dataSource={data?.items ?? []} scroll={{ x: 700 }} columns={[
        { title: '调拨单', dataIndex: 'number', render: (n, a) => <a onClick={() => show(a.id)}>{n}</a> },
        { title: '目的地', render: (_, a) => destName(a) }, { title: '优先级', dataIndex: 'priority' },
        { title: '创建', dataIndex: 'createdAt', render: (t: string) => t?.replace('T', ' ').slice(0, 16) },
        { title: '预留至', dataIndex: 'expiresAt', render: (t: string) => t?.replace('T', ' ').slice(0, 16) },
      ]} />
      <Modal open={!!shown} onCancel={() => setShown(null)} footer={null} width={Math.min(1000, innerWidth)} title="调拨单详情与拣货">
        {shown && <PlanView allocation={shown} onChange={(a) => { setShown(a); reload(); }} />}
        {shown && (actor.role === 'dispatcher' || actor.role === 'admin') && deliverable(shown) && <Deliver allocation={shown} onDone={(a) => { setShown(a); reload(); }} />}
        {shown && actor.role === 'dispatcher' && (
          <Space wrap style={{ marginTop: 12 }}>
            {[...new Set(shown.lines.flatMap((l) => l.picks.map((p) => p.warehouse)))].map((w) => <a key={w} href={`/allocations/${shown.id}/pick-list.xlsx?warehouse=${encodeURIComponent(w)}`}>下载 {w} 拣货单</a>)}
          </Space>
        )}
        {shown && (actor.role === 'keeper' || actor.role === 'admin') && (
          <Space wrap style={{ marginTop: 12 }}>
            {warehousesOf(shown).map((w) => (
              <Space key={w}>
                <a href={`/allocations/${shown.id}/pick-list.xlsx?warehouse=${encodeURIComponent(w)}`}>下载 {w} 拣货单</a>
                <Button type="primary" loading={busy} onClick={() => dispatch(shown, w)}>{w} 出库发运</Button>
              </Space>
            ))}
          </Space>
        )}
      </Modal>
    </Card>
  );
}

/** Delivery is confirmed once everything is dispatched (or the rest cancelled or expired), for what was dispatched. */
const deliverable = (a: Allocation) => ['DISPATCHED', 'CANCELLED', 'EXPIRED'].includes(a.status) && a.lines.some((l) => Number(l.dispatched) > 0);

/** 登记送达: how much of each dispatched category arrived; a difference needs a reason. */
function Deliver({ allocation, onDone }: { allocation: Allocation; onDone: (a: Allocation) => void }) {
  const { categories } = useCatalog();
  const lines = allocation.lines.filter((l) => Number(l.dispatched) > 0);
  const [received, setReceived] = useState<string[]>(lines.map((l) => l.dispatched));
  const [reasons, setReasons] = useState<string[]>(lines.map(() => ''));
  const [busy, run] = useAction();
  const { message, modal } = App.useApp();
  const problems = lines.map((l, i) => {
    const text = received[i] ?? '';
    if (text === '0') return null;
    return quantityProblem(text, categories.get(l.category)?.scale ?? 3);
  });
  const differs = lines.map((l, i) => minus(received[i] || '0', l.dispatched) !== '0');
  const incomplete = problems.some(Boolean) || differs.some((d, i) => d && !reasons[i]!.trim());
  const deliver = () => modal.confirm({
    title: `确认调拨单 ${allocation.number} 已送达`, content: '送达登记后不能修改，发运单据也不能再冲销。', okText: '确认送达', cancelText: '取消',
    onOk: async () => {
      const body = { lines: lines.map((l, i) => ({ category: l.category, received: received[i]!, ...(differs[i] ? { reason: reasons[i]!.trim() } : {}) })) };
      const reply = await run(() => call<Allocation>(api.POST('/allocations/{id}/deliver', { params: { path: { id: allocation.id } }, body })));
      if (reply) { message.success(`调拨单 ${allocation.number} 已登记送达`); onDone(reply); }
    },
  });
  return (
    <Card size="small" title="登记送达" style={{ marginTop: 12 }} extra={<Button type="primary" disabled={incomplete} loading={busy} onClick={deliver}>确认送达</Button>}>
      <Table size="small" rowKey="category" pagination={false} dataSource={lines} columns={[
        { title: '物资', render: (_, l) => categoryLabel(categories.get(l.category), l.category) },
        { title: '发运', dataIndex: 'dispatched', align: 'right' },
        { title: '实到', render: (_, _l, i) => (
          <div>
            <Input value={received[i]} style={{ width: 110 }} aria-label="实到数量" status={problems[i] ? 'error' : undefined} onChange={(e) => setReceived(received.map((r, j) => (j === i ? e.target.value.trim() : r)))} />
            {problems[i] && <div style={{ color: '#cf1322', fontSize: 12 }}>{problems[i]}</div>}
          </div>
        ) },
        { title: '差异原因', render: (_, _l, i) => (differs[i] && !problems[i] ? <Input value={reasons[i]} placeholder="与发运数量不同，请填写原因" aria-label="差异原因" style={{ width: 240 }} onChange={(e) => setReasons(reasons.map((r, j) => (j === i ? e.target.value : r)))} /> : '—') },
      ]} />
    </Card>
  );
}

interface Batch { id: string; number: string; status: string; total: string; lineCount: number; createdAt: string; sentOn: string | null; lines?: BatchLine[]; counts?: Record<string, number> }
interface BatchLine { position: number; claim: string; claimant: string; amount: string; state: string; accountName: string; accountNumber: string; bankName: string; payment?: { id: string; bankReference: string; paidOn: string } }

/** Payout batches: batch the approved claims, download the bank file, record the bank's answer. */
export function Payouts(_: ScreenProps) {
  const batches = useLoad(() => call<Page<Batch>>(api.GET('/payout-batches', { params: { query: { limit: 100 } } })), []);
  const approved = useLoad(() => call<Page<{ id: string; number: string; claimantName: string; payable: string; remaining: string; dueDates: { payment: string | null } }>>(api.GET('/claims', { params: { query: { status: 'APPROVED', batched: 'false', limit: 500 } as never } })), []);
  const [selected, setSelected] = useState<string[]>([]);
  const [busy, run] = useAction();
  const [shown, setShown] = useState<Batch | null>(null);
  const { message } = App.useApp();
  const create = async () => {
    const reply = await run(() => call<Batch>(api.POST('/payout-batches', { body: { claims: selected } })));
    if (reply) { message.success(`已生成批次 ${reply.number}`); setSelected([]); batches.reload(); approved.reload(); setShown(reply); }
  };
  const show = async (id: string) => {
    const full = await run(() => call<Batch>(api.GET('/payout-batches/{id}', { params: { path: { id } } })));
    if (full) setShown(full);
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card title="待支付的已批准案件" extra={<Button type="primary" disabled={!selected.length} loading={busy} onClick={create}>将选中的 {selected.length} 件生成支付批次</Button>}>
        <Table size="small" rowKey="number" loading={approved.loading} dataSource={approved.data?.items ?? []} pagination={{ pageSize: 10 }}
          rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
          columns={[{ title: '案件号', dataIndex: 'number' }, { title: '申请人', dataIndex: 'claimantName' }, { title: '应付余额', dataIndex: 'remaining', align: 'right' }, { title: '支付时限', render: (_, c) => c.dueDates.payment ?? '—' }]} />
      </Card>
      <Card title="支付批次">
        <Table<Batch> size="small" rowKey="id" loading={batches.loading} dataSource={batches.data?.items ?? []} pagination={{ pageSize: 10 }}
          columns={[{ title: '批次号', dataIndex: 'number', render: (n, b) => <a onClick={() => show(b.id)}>{n}</a> }, { title: '状态', dataIndex: 'status', render: (s: string) => <Tag>{BATCH_STATUS_ZH[s] ?? s}</Tag> },
            { title: '笔数', dataIndex: 'lineCount' }, { title: '金额合计', dataIndex: 'total', align: 'right' }, { title: '生成时间', dataIndex: 'createdAt', render: (t: string) => t?.replace('T', ' ').slice(0, 16) }]} />
      </Card>
      {shown && <BatchView batch={shown} onClose={() => setShown(null)} onReload={() => { show(shown.id); batches.reload(); approved.reload(); }} />}
    </Space>
  );
}

function BatchView({ batch, onClose, onReload }: { batch: Batch; onClose: () => void; onReload: () => void }) {
  const [busy, run] = useAction();
  const [confirming, setConfirming] = useState(false);
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const pending = (batch.lines ?? []).filter((l) => l.state === 'PENDING');
  const confirm = async () => {
    const v = (await form.validateFields()) as { paidOn: Dayjs; reference: string };
    const reply = await run(() => call(api.POST('/payout-batches/{id}/confirm', { params: { path: { id: batch.id } }, body: { lines: pending.map((l, i) => ({ claim: l.claim, status: 'PAID' as const, bankReference: `${v.reference}-${i + 1}`, paidOn: v.paidOn.format('YYYY-MM-DD') })) } })));
    if (reply) { message.success('银行回单已登记，案件已赔付'); setConfirming(false); onReload(); }
  };
  return (
    <Card title={`批次 ${batch.number}`} extra={<Button onClick={onClose}>关闭</Button>}>
      <Descriptions size="small" items={[{ label: '状态', children: BATCH_STATUS_ZH[batch.status] ?? batch.status }, { label: '笔数', children: batch.lineCount }, { label: '合计（元）', children: batch.total }]} />
      <Space wrap style={{ margin: '12px 0' }}>
        <a href={`/payout-batches/${batch.id}/bank-file.xlsx`} onClick={() => setTimeout(onReload, 1500)}>下载银行代发文件（Excel）</a>
        <a href={`/payout-batches/${batch.id}/bank-file.csv`} onClick={() => setTimeout(onReload, 1500)}>下载银行代发文件（CSV）</a>
        {batch.status === 'SENT' && pending.length > 0 && <Button type="primary" onClick={() => setConfirming(true)}>登记银行回单（全部成功）</Button>}
        {batch.status === 'OPEN' && <CancelBatch batch={batch} onDone={onReload} />}
      </Space>
      {(batch.status === 'SENT' || batch.status === 'CONFIRMED') && <ReturnFile batch={batch} onDone={onReload} />}
      {batch.status === 'OPEN' && <Alert type="info" showIcon style={{ marginBottom: 12 }} message="下载银行代发文件后批次即标记为已送银行，之后才能登记回单。" />}
      <Table size="small" rowKey="position" pagination={false} dataSource={batch.lines ?? []} scroll={{ x: 800 }}
        columns={[{ title: '序号', dataIndex: 'position' }, { title: '案件号', dataIndex: 'claim' }, { title: '户名', dataIndex: 'accountName' }, { title: '账号', dataIndex: 'accountNumber' }, { title: '开户行', dataIndex: 'bankName' }, { title: '金额', dataIndex: 'amount', align: 'right' }, { title: '状态', dataIndex: 'state', render: (s: string) => ({ PENDING: '待回单', PAID: '已支付', FAILED: '失败', RETURNED: '退回', CANCELLED: '已取消' })[s] ?? s },
          { title: '', render: (_, l: BatchLine) => (l.state === 'PAID' && l.payment ? <ReturnPayment payment={l.payment.id} claim={l.claim} amount={l.amount} onDone={onReload} /> : null) }]} />
      <Modal open={confirming} title="登记银行回单" onOk={confirm} onCancel={() => setConfirming(false)} okText="登记" cancelText="取消" confirmLoading={busy}>
        <Form form={form} layout="vertical" initialValues={{ paidOn: dayjs(today()) }}>
          <Form.Item label="银行流水号（逐笔加序号）" name="reference" rules={[{ required: true, message: '请填写流水号' }]}><Input aria-label="银行流水号" /></Form.Item>
          <Form.Item label="交易日期" name="paidOn" rules={[{ required: true }]}><DatePicker /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

interface ReportDef { name: string; title: string; parameters: { name: string; label: string; type: 'date' | 'code' | 'integer' | 'text'; required: boolean; default?: string }[] }

/** Every report this user may run, with its parameters; the download is the service's own xlsx. */
export function Reports(_: ScreenProps) {
  const { data, loading } = useLoad(() => call<{ items: ReportDef[] }>(api.GET('/reports')), []);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {loading && <Card loading />}
      {(data?.items ?? []).map((r) => <ReportForm key={r.name} report={r} />)}
    </Space>
  );
}

/** Downloads through fetch, so a refusal (a bad parameter, no permission) shows as a message instead of a page of JSON. */
async function downloadFile(url: string, fallbackName: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) await call(Promise.resolve({ error: await response.json().catch(() => ({})), response }));
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = name ? decodeURIComponent(name) : fallbackName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function ReportForm({ report }: { report: ReportDef }) {
  const [form] = Form.useForm();
  const [busy, run] = useAction();
  const download = async () => {
    const values = await form.validateFields();
    const query = new URLSearchParams();
    for (const p of report.parameters) {
      const v = values[p.name];
      if (v === undefined || v === null || v === '') continue;
      query.set(p.name, p.type === 'date' ? (v as Dayjs).format('YYYY-MM-DD') : String(v));
    }
    await run(() => downloadFile(`/reports/${report.name}.xlsx?${query}`, `${report.title}.xlsx`));
  };
  // Dates start filled in (this month to today), so a clerk can download at once and narrow later.
  const dateDefault = (p: ReportDef['parameters'][number]) => dayjs(p.default === 'today' ? today() : p.default ?? (/to$/i.test(p.name) ? today() : `${today().slice(0, 8)}01`));
  const initial = Object.fromEntries(report.parameters.filter((p) => p.default !== undefined || p.type === 'date').map((p) => [p.name, p.type === 'date' ? dateDefault(p) : p.default]));
  return (
    <Card size="small" title={report.title}>
      <Form form={form} layout="inline" initialValues={initial}>
        {report.parameters.map((p) => (
          <Form.Item key={p.name} label={p.label} name={p.name} rules={[{ required: p.required, message: `请填写${p.label}` }]} style={{ marginBottom: 8 }}>
            {p.type === 'date' ? <DatePicker allowClear={!p.required} /> : p.type === 'integer' ? <InputNumber /> : p.name === 'product'
              ? <Select allowClear style={{ width: 180 }} options={PRODUCTS.map((x) => ({ value: x.code, label: x.name }))} placeholder="全部险种" />
              : <Input style={{ width: 160 }} />}
          </Form.Item>
        ))}
        <Button type="primary" onClick={download} loading={busy}>下载 Excel</Button>
      </Form>
    </Card>
  );
}

interface User { id: string; name: string; role: Role; warehouses: string[]; active: boolean; createdAt: string }

/** Users, roles and warehouse scopes; console passwords; the API token is shown once on creation. */
export function Users(_: ScreenProps) {
  const { data, loading, reload } = useLoad(() => call<Page<User>>(api.GET('/users', { params: { query: { limit: 500 } } })), []);
  const [busy, run] = useAction();
  const [form] = Form.useForm();
  const { modal, message } = App.useApp();
  const [passwordFor, setPasswordFor] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [tokenFor, setTokenFor] = useState<string | null>(null);
  const create = async (v: { name: string; role: Role; warehouses?: string; password?: string }) => {
    const warehouses = v.warehouses?.split(/[,，\s]+/).filter(Boolean);
    const reply = await run(() => call<{ token: string }>(api.POST('/users', { body: { name: v.name, role: v.role, ...(warehouses?.length ? { warehouses } : {}) } })));
    if (!reply) return;
    if (v.password) await run(() => call(api.PUT('/users/{name}/password', { params: { path: { name: v.name } }, body: { password: v.password! } })));
    modal.info({ title: `已创建用户 ${v.name}`, content: <div>API 令牌（只显示这一次，供脚本使用）：<pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{reply.token}</pre></div> });
    form.resetFields();
    reload();
  };
  const setPw = async () => {
    if (await run(() => call(api.PUT('/users/{name}/password', { params: { path: { name: passwordFor! } }, body: { password } })))) {
      message.success(`已为 ${passwordFor} 设置密码，其已登录的会话已结束`);
      setPasswordFor(null); setPassword('');
    }
  };
  const deactivate = async (name: string) => {
    if (await run(() => call(api.POST('/users/{name}/deactivate', { params: { path: { name } } })))) reload();
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card title="新建用户">
        <Form form={form} layout="inline" onFinish={create} initialValues={{ role: 'keeper' }}>
          <Form.Item name="name" rules={[{ required: true, message: '用户名' }]}><Input placeholder="用户名" /></Form.Item>
          <Form.Item name="role"><Select style={{ width: 140 }} options={Object.entries(ROLE_ZH).map(([value, label]) => ({ value, label }))} /></Form.Item>
          <Form.Item name="warehouses"><Input placeholder="仓库代码（保管员必填，逗号分隔）" style={{ width: 260 }} /></Form.Item>
          <Form.Item name="password" rules={[{ min: 8, message: '至少 8 位' }]}><Input.Password placeholder="登录密码（可稍后设置）" /></Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>创建</Button>
        </Form>
      </Card>
      <Card title="用户">
        <Table<User> size="small" rowKey="id" loading={loading} dataSource={data?.items ?? []} pagination={{ pageSize: 20 }} columns={[
          { title: '用户名', dataIndex: 'name' }, { title: '角色', dataIndex: 'role', render: (r: Role) => ROLE_ZH[r] ?? r },
          { title: '仓库', dataIndex: 'warehouses', render: (w: string[]) => w.join('、') || '—' },
          { title: '状态', dataIndex: 'active', render: (a: boolean) => (a ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>) },
          { title: '', render: (_, u) => <Space><Button size="small" onClick={() => setPasswordFor(u.name)}>设置密码</Button>{u.active && <Button size="small" onClick={() => setTokenFor(u.name)}>签发新令牌</Button>}{u.active && <Button size="small" danger onClick={() => deactivate(u.name)}>停用</Button>}</Space> },
        ]} />
      </Card>
      {tokenFor && <IssueToken name={tokenFor} onClose={() => setTokenFor(null)} />}
      <Modal open={!!passwordFor} title={`设置 ${passwordFor ?? ''} 的登录密码`} onOk={setPw} onCancel={() => setPasswordFor(null)} okText="保存" cancelText="取消" okButtonProps={{ disabled: password.length < 8 }} confirmLoading={busy}>
        <Input.Password value={password} onChange={(e) => setPassword(e.target.value)} placeholder="至少 8 位" />
      </Modal>
    </Space>
  );
}

/** A new API token for a user's scripts, optionally revoking the others; shown once, with a copy button. */
function IssueToken({ name, onClose }: { name: string; onClose: () => void }) {
  const [revokeOthers, setRevokeOthers] = useState(false);
  const [token, setToken] = useState<string | null>(null);
  const [busy, run] = useAction();
  const issue = async () => {
    const reply = await run(() => call<components['schemas']['PostUsersByNameTokensReply']>(api.POST('/users/{name}/tokens', { params: { path: { name } }, body: { revokeOthers } })));
    if (reply) setToken(reply.token);
  };
  if (token) {
    return (
      <Modal open title={`${name} 的新 API 令牌`} onCancel={onClose} footer={<Button type="primary" onClick={onClose}>已保存，关闭</Button>}>
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} message="令牌只显示这一次，关闭后无法再查看。请立即复制并交给使用脚本的人保管。" />
        <Typography.Paragraph copyable={{ text: token, tooltips: ['复制令牌', '已复制'] }} style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>{token}</Typography.Paragraph>
        {revokeOthers && <p>该用户原有的其他令牌已全部作废。</p>}
      </Modal>
    );
  }
  return (
    <Modal open title={`为 ${name} 签发新 API 令牌`} onOk={issue} onCancel={onClose} okText="签发" cancelText="取消" confirmLoading={busy} okButtonProps={{ danger: revokeOthers }}>
      <p>API 令牌供脚本和命令行使用；控制台登录用密码，不受影响。</p>
      <Checkbox checked={revokeOthers} onChange={(e) => setRevokeOthers(e.target.checked)}>同时作废该用户原有的全部令牌（令牌泄露或人员调岗时选择；使用旧令牌的脚本将立即失效）</Checkbox>
    </Modal>
  );
}
