import { Alert, App, Button, Card, Drawer, Form, Input, InputNumber, Modal, Select, Space, Table, Tabs, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { api, call, type Page } from '../api/client';
import type { components } from '../api/schema';
import { categoryLabel, useCatalog } from '../catalog';
import { TRANSFER_STATUS_ZH, minus, quantityProblem } from '../domain';
import { useAction, useLoad } from '../hooks';
import type { ScreenProps } from '../Shell';
import { LineItems, linesOf, type LineInput } from './LineItems';

interface Balance { warehouse: string; category: string; lot: string | null; onHand: string; reserved: string; available: string }

/** The warehouses this user may pick: a keeper's own, or every warehouse for admin and finance. */
function useWarehouseChoice(actor: ScreenProps['actor']) {
  const { warehouses, categories } = useCatalog();
  const codes = actor.role === 'keeper' ? actor.warehouses : warehouses.map((w) => w.code);
  const name = (code: string) => warehouses.find((w) => w.code === code)?.name;
  const options = codes.map((code) => ({ value: code, label: name(code) ? `${name(code)}（${code}）` : code }));
  return { options, categories, first: codes[0] };
}

export function Balances({ actor }: ScreenProps) {
  const { options, categories, first } = useWarehouseChoice(actor);
  const [warehouse, setWarehouse] = useState<string>();
  const [search, setSearch] = useState('');
  const [ledgerOf, setLedgerOf] = useState<string | null>(null);
  const current = warehouse ?? first;
  const { data, loading } = useLoad(
    () => (current ? call<Page<Balance> & { asOf: string }>(api.GET('/balances', { params: { query: { warehouse: current, limit: 10000 } } })) : Promise.resolve(undefined)),
    [current],
  );
  const rows = useMemo(() => {
    const words = search.trim().toLowerCase();
    return (data?.items ?? []).filter((b) => {
      if (!words) return true;
      const c = categories.get(b.category);
      return [b.category, c?.name, ...(c?.classPath ?? []), b.lot].some((v) => v?.toLowerCase().includes(words));
    });
  }, [data, search, categories]);
  return (
    <Card>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select style={{ width: 280 }} value={current} options={options} onChange={setWarehouse} placeholder="仓库" aria-label="仓库" />
        <Input.Search allowClear placeholder="按名称、代码或类别搜索" style={{ width: 300 }} onChange={(e) => setSearch(e.target.value)} aria-label="搜索物资" />
        <span>共 {rows.length} 条{data?.asOf ? `（截至 ${data.asOf}）` : ''}</span>
      </Space>
      <Table<Balance> size="small" rowKey={(b) => `${b.category}|${b.lot ?? ''}`} loading={loading} dataSource={rows} pagination={{ pageSize: 20, showSizeChanger: false }} scroll={{ x: 800 }}
        columns={[
          { title: '物资', dataIndex: 'category', render: (code: string) => <a onClick={() => setLedgerOf(code)}>{categoryLabel(categories.get(code), code)}</a> },
          { title: '类别', render: (_, b) => categories.get(b.category)?.classPath.join(' / ') },
          { title: '批号', dataIndex: 'lot', render: (lot) => lot ?? '—' },
          { title: '账面数量', dataIndex: 'onHand', align: 'right' },
          { title: '已预留', dataIndex: 'reserved', align: 'right' },
          { title: '可用', dataIndex: 'available', align: 'right' },
          { title: '单位', render: (_, b) => categories.get(b.category)?.unit },
        ]} />
      <Drawer width={Math.min(900, innerWidth)} open={!!ledgerOf} onClose={() => setLedgerOf(null)} title={`台帐：${ledgerOf ? categoryLabel(categories.get(ledgerOf), ledgerOf) : ''}`}>
        {ledgerOf && current && <Ledger category={ledgerOf} warehouse={current} canReverse={actor.role === 'keeper' || actor.role === 'admin'} />}
      </Drawer>
    </Card>
  );
}

interface LedgerEntry { id: string; documentId: string; documentType: string; reversedByDocumentId: string | null; occurredAt: string; recordedBy: string; counterparty: string | null; lot: string | null; in: string | null; out: string | null; balance: string; reason: string | null }
interface LedgerPage { opening: string; closing: string; total: number; items: LedgerEntry[] }

const DOCUMENT_ZH: Record<string, string> = { OPENING: '期初', RECEIPT: '入库', WRITE_OFF: '报损', TRANSFER_SHIP: '调出', TRANSFER_RECEIVE: '调入', TRANSFER_CANCEL: '调拨撤回', STOCKTAKE: '盘点', REVERSAL: '冲销', ALLOCATION: '调拨发运' };

/** 台帐: every movement of one category in one warehouse with its running balance; keepers and admins reverse (冲销) a document from here. */
function Ledger({ category, warehouse, canReverse }: { category: string; warehouse: string; canReverse: boolean }) {
  const { data, loading, reload } = useLoad(() => call<LedgerPage>(api.GET('/ledger', { params: { query: { category, warehouse, limit: 200 } } })), [category, warehouse]);
  const [reversing, setReversing] = useState<LedgerEntry | null>(null);
  return (
    <>
      {reversing && <Reverse entry={reversing} onClose={(done) => { setReversing(null); if (done) reload(); }} />}
      <p>期初 {data?.opening ?? '—'}，期末 {data?.closing ?? '—'}，共 {data?.total ?? 0} 笔</p>
      <Table<LedgerEntry> size="small" rowKey="id" loading={loading} dataSource={data?.items ?? []} pagination={{ pageSize: 20 }} scroll={{ x: 700 }} columns={[
        { title: '日期', dataIndex: 'occurredAt' }, { title: '单据', render: (_, e) => `${DOCUMENT_ZH[e.documentType] ?? e.documentType} ${e.documentId}` },
        { title: '对方', dataIndex: 'counterparty', render: (v) => v ?? '—' }, { title: '批号', dataIndex: 'lot', render: (v) => v ?? '—' },
        { title: '收入', dataIndex: 'in', align: 'right', render: (v) => v ?? '' }, { title: '发出', dataIndex: 'out', align: 'right', render: (v) => v ?? '' },
        { title: '结存', dataIndex: 'balance', align: 'right' }, { title: '经办', dataIndex: 'recordedBy' }, { title: '摘要', dataIndex: 'reason', render: (v) => v ?? '' },
        ...(canReverse ? [{ title: '', render: (_: unknown, e: LedgerEntry) => (
          e.reversedByDocumentId ? <Tag>已冲销（{e.reversedByDocumentId}）</Tag>
            : e.documentType === 'REVERSAL' ? null : <Button size="small" danger onClick={() => setReversing(e)}>冲销</Button>) }] : []),
      ]} />
    </>
  );
}

type Reversal = components['schemas']['ReversalDocument'];

/** 冲销: the exact opposite of a whole document, once, with a reason; a document of a closed month is reversed into the first open one. */
function Reverse({ entry, onClose }: { entry: LedgerEntry; onClose: (done: boolean) => void }) {
  const [reason, setReason] = useState('');
  const [busy, run] = useAction();
  const [done, setDone] = useState<Reversal | null>(null);
  const document = `${DOCUMENT_ZH[entry.documentType] ?? entry.documentType}单 ${entry.documentId}`;
  const reverse = async () => {
    const reply = await run(() => call<Reversal>(api.POST('/documents/{id}/reverse', { params: { path: { id: entry.documentId } }, body: { reason: reason.trim() } })));
    if (reply) setDone(reply);
  };
  if (done) {
    return (
      <Modal open title="已冲销" onCancel={() => onClose(true)} footer={<Button type="primary" onClick={() => onClose(true)}>知道了</Button>}>
        <p>{document} 已冲销，冲销单 {done.id}，记账日期 {done.occurredAt.slice(0, 10)}。</p>
        {done.datedInto && <Alert type="warning" showIcon message={`原单据所在月份 ${done.datedInto.closedPeriod} 已结账，冲销记入 ${done.datedInto.occurredAt.slice(0, 10)}（第一个未结账月份）。`} />}
      </Modal>
    );
  }
  return (
    <Modal open title={`冲销 ${document}`} onOk={reverse} onCancel={() => onClose(false)} okText="确认冲销" cancelText="取消" okButtonProps={{ danger: true, disabled: !reason.trim() }} confirmLoading={busy}>
      <p>将按原单据整单记一笔方向相反的单据（{entry.occurredAt.slice(0, 10)}，经办 {entry.recordedBy}），每张单据只能冲销一次，冲销后不能撤回。</p>
      <Input.TextArea rows={2} placeholder="冲销原因（必填）" aria-label="冲销原因" value={reason} onChange={(e) => setReason(e.target.value)} />
    </Modal>
  );
}

const SOURCE_KINDS = [{ value: 'PROCUREMENT', label: '采购入库' }, { value: 'DONATION', label: '捐赠接收' }];

export function Receipt({ actor }: ScreenProps) {
  const { options, categories, first } = useWarehouseChoice(actor);
  const [form] = Form.useForm();
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const submit = async (v: { warehouse?: string; kind: 'PROCUREMENT' | 'DONATION'; source: string; reference?: string; lines: LineInput[] }) => {
    const reply = await run(() => call<{ id: string; number?: string }>(api.POST('/receipts', { body: { warehouse: v.warehouse ?? first!, source: { kind: v.kind, name: v.source, ...(v.reference ? { reference: v.reference } : {}) }, lines: linesOf(v.lines) } })));
    if (reply) {
      message.success(`入库单已记账（单据 ${reply.number ?? reply.id}）`);
      form.resetFields();
    }
  };
  return (
    <Card title="入库登记">
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'PROCUREMENT' }}>
        <Space wrap>
          <Form.Item label="仓库" name="warehouse"><Select style={{ width: 260 }} options={options} placeholder={first} aria-label="入库仓库" /></Form.Item>
          <Form.Item label="来源" name="kind"><Select style={{ width: 140 }} options={SOURCE_KINDS} /></Form.Item>
          <Form.Item label="供应商/捐赠方" name="source" rules={[{ required: true, message: '请填写来源单位' }]}><Input style={{ width: 240 }} /></Form.Item>
          <Form.Item label="合同或凭证号" name="reference"><Input style={{ width: 180 }} /></Form.Item>
        </Space>
        <LineItems form={form} categories={categories} />
        <div><Button type="primary" htmlType="submit" loading={busy}>记账</Button></div>
      </Form>
    </Card>
  );
}

const LOSS_REASONS = [{ value: 'DAMAGE', label: '损坏' }, { value: 'EXPIRY', label: '过期' }, { value: 'SHORTFALL', label: '盘亏短少' }, { value: 'OTHER', label: '其他' }];

export function WriteOff({ actor }: ScreenProps) {
  const { options, categories, first } = useWarehouseChoice(actor);
  const [form] = Form.useForm();
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const submit = async (v: { warehouse?: string; reason: 'DAMAGE' | 'EXPIRY' | 'SHORTFALL' | 'OTHER'; note?: string; lines: LineInput[] }) => {
    const body = { warehouse: v.warehouse ?? first!, reason: v.reason, ...(v.note ? { note: v.note } : {}), lines: linesOf(v.lines) };
    const reply = await run(() => call<{ id: string }>(api.POST('/write-offs', { body })));
    if (reply) {
      message.success(`报损单已记账（单据 ${reply.id}）`);
      form.resetFields();
    }
  };
  return (
    <Card title="报损核销">
      <Form form={form} layout="vertical" onFinish={submit}>
        <Space wrap>
          <Form.Item label="仓库" name="warehouse"><Select style={{ width: 260 }} options={options} placeholder={first} /></Form.Item>
          <Form.Item label="原因" name="reason" rules={[{ required: true, message: '请选择原因' }]}><Select style={{ width: 160 }} options={LOSS_REASONS} /></Form.Item>
          <Form.Item label="说明" name="note"><Input style={{ width: 300 }} /></Form.Item>
        </Space>
        <LineItems form={form} categories={categories} />
        <div><Button type="primary" danger htmlType="submit" loading={busy}>记账</Button></div>
      </Form>
    </Card>
  );
}

interface Transfer { id: string; from: string; to: string; status: string; lines?: { category: string; lot: string | null; quantity: string }[] }

export function Transfers({ actor }: ScreenProps) {
  const { options, categories, first } = useWarehouseChoice(actor);
  const [form] = Form.useForm();
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const [warehouse, setWarehouse] = useState<string>();
  const current = warehouse ?? first;
  const { data, loading, reload } = useLoad(
    () => (current ? call<Page<Transfer>>(api.GET('/transfers', { params: { query: { warehouse: current, status: 'IN_TRANSIT' } } })) : Promise.resolve(undefined)),
    [current],
  );
  const [receiving, setReceiving] = useState<Transfer | null>(null);
  const { modal } = App.useApp();
  const cancel = (t: Transfer) => {
    let note = '';
    modal.confirm({
      title: `撤回调拨单 ${t.id}（${t.from} → ${t.to}）`, okText: '确认撤回', cancelText: '取消', okButtonProps: { danger: true },
      content: <div><p>对方尚未接收：物资退回调出仓库 {t.from}，调拨单作废，不能恢复。</p><Input placeholder="撤回说明（可选）" aria-label="撤回说明" onChange={(e) => { note = e.target.value; }} /></div>,
      onOk: async () => {
        const reply = await run(() => call(api.POST('/transfers/{id}/cancel', { params: { path: { id: t.id } }, body: note.trim() ? { note: note.trim() } : {} })));
        if (reply) { message.success(`调拨单 ${t.id} 已撤回，物资已退回 ${t.from}`); reload(); }
      },
    });
  };
  const submit = async (v: { from?: string; to: string; note?: string; lines: LineInput[] }) => {
    const reply = await run(() => call<{ id: string }>(api.POST('/transfers', { body: { from: v.from ?? first!, to: v.to.trim().toUpperCase(), ...(v.note ? { note: v.note } : {}), lines: linesOf(v.lines) } })));
    if (reply) {
      message.success(`调拨单 ${reply.id} 已发出，物资在途，等待调入仓库接收`);
      form.resetFields();
      reload();
    }
  };
  const open = async (t: Transfer) => {
    // The shipping document holds the lines; the keeper of either warehouse may read it.
    const shipped = await run(() => call<{ lines: Transfer['lines'] }>(api.GET('/documents/{id}', { params: { path: { id: t.id } } })));
    if (shipped) setReceiving({ ...t, lines: shipped.lines });
  };
  return (
    <Tabs items={[
      { key: 'in', label: '在途调拨（待接收）', children: (
        <Card>
          <Space style={{ marginBottom: 12 }}><Select style={{ width: 280 }} value={current} options={options} onChange={setWarehouse} /></Space>
          <Table<Transfer> size="small" rowKey="id" loading={loading} dataSource={data?.items ?? []} pagination={false}
            columns={[
              { title: '调拨单', dataIndex: 'id' }, { title: '调出', dataIndex: 'from' }, { title: '调入', dataIndex: 'to' },
              { title: '状态', dataIndex: 'status', render: (s: string) => <Tag color="orange">{TRANSFER_STATUS_ZH[s] ?? s}</Tag> },
              { title: '', render: (_, t) => (
                <Space>
                  {actor.role === 'admin' || actor.warehouses.includes(t.to) ? <Button type="primary" size="small" onClick={() => open(t)}>接收</Button> : <span style={{ color: '#888' }}>等待对方接收</span>}
                  {(actor.role === 'admin' || actor.warehouses.includes(t.from)) && <Button size="small" danger onClick={() => cancel(t)}>撤回</Button>}
                </Space>
              ) },
            ]} />
          {receiving && <ReceiveTransfer transfer={receiving} categories={categories} onClose={(done) => { setReceiving(null); if (done) reload(); }} />}
        </Card>
      ) },
      { key: 'out', label: '新建调拨', children: (
        <Card>
          <Form form={form} layout="vertical" onFinish={submit}>
            <Space wrap>
              <Form.Item label="调出仓库" name="from"><Select style={{ width: 260 }} options={options} placeholder={first} aria-label="调出仓库" /></Form.Item>
              <Form.Item label="调入仓库代码" name="to" rules={[{ required: true, message: '请填写调入仓库代码' }]}><Input style={{ width: 200 }} placeholder="如 WH-CITY-01" aria-label="调入仓库" /></Form.Item>
              <Form.Item label="备注" name="note"><Input style={{ width: 260 }} /></Form.Item>
            </Space>
            <LineItems form={form} categories={categories} />
            <div><Button type="primary" htmlType="submit" loading={busy}>发出调拨</Button></div>
          </Form>
        </Card>
      ) },
    ]} />
  );
}

function ReceiveTransfer({ transfer, categories, onClose }: { transfer: Transfer; categories: ReturnType<typeof useCatalog>['categories']; onClose: (done: boolean) => void }) {
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const lines = transfer.lines ?? [];
  const [received, setReceived] = useState<string[]>(lines.map((l) => l.quantity));
  const problems = lines.map((l, i) => quantityProblem(received[i] ?? '', categories.get(l.category)?.scale ?? 3));
  const confirm = async () => {
    const reply = await run(() => call(api.POST('/transfers/{id}/receive', { params: { path: { id: transfer.id } }, body: { lines: lines.map((l, i) => ({ category: l.category, lot: l.lot, received: received[i]! })) } })));
    if (reply) {
      message.success(`调拨单 ${transfer.id} 已接收入账`);
      onClose(true);
    }
  };
  return (
    <Modal open title={`接收调拨单 ${transfer.id}（${transfer.from} → ${transfer.to}）`} onCancel={() => onClose(false)} onOk={confirm} okText="确认接收" cancelText="取消" confirmLoading={busy} okButtonProps={{ disabled: problems.some(Boolean) }} width={760}>
      <Alert type="info" showIcon style={{ marginBottom: 12 }} message="请按实收数量填写；与发出数量不同的部分会记为差异。" />
      <Table size="small" rowKey={(_, i) => String(i)} pagination={false} dataSource={lines}
        columns={[
          { title: '物资', render: (_, l) => categoryLabel(categories.get(l.category), l.category) },
          { title: '批号', dataIndex: 'lot', render: (v) => v ?? '—' },
          { title: '发出', dataIndex: 'quantity', align: 'right' },
          { title: '实收', render: (_, _l, i) => (
            <div>
              <Input value={received[i]} status={problems[i] ? 'error' : undefined} style={{ width: 120 }} aria-label="实收数量" onChange={(e) => setReceived(received.map((r, j) => (j === i ? e.target.value : r)))} />
              {problems[i] && <div style={{ color: '#cf1322', fontSize: 12 }}>{problems[i]}</div>}
            </div>
          ) },
        ]} />
    </Modal>
  );
}

interface Expiring { warehouse: string; category: string; name: string; lot: string; expiresOn: string; daysLeft: number; status: string; onHand: string }
interface BelowQuota { warehouse: string; category: string; name: string; unit: string; quota: string; onHand: string; usable: string; shortfall: string }

export function Alerts({ actor }: ScreenProps) {
  const { options, first } = useWarehouseChoice(actor);
  const [warehouse, setWarehouse] = useState<string>();
  const [days, setDays] = useState(90);
  const current = warehouse ?? first;
  const expiring = useLoad(() => call<{ items: Expiring[] }>(api.GET('/alerts/expiring', { params: { query: { days, ...(current ? { warehouse: current } : {}) } } })), [current, days]);
  const below = useLoad(() => call<{ items: BelowQuota[] }>(api.GET('/alerts/below-quota', { params: { query: current ? { warehouse: current } : {} } })), [current]);
  return (
    <Card>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select style={{ width: 280 }} value={current} options={options} onChange={setWarehouse} />
        <span>临期天数</span><InputNumber min={0} max={3650} value={days} onChange={(v) => setDays(v ?? 90)} />
      </Space>
      <Tabs items={[
        { key: 'exp', label: `临期批次（${expiring.data?.items.length ?? 0}）`, children: (
          <Table<Expiring> size="small" rowKey={(r) => `${r.warehouse}|${r.category}|${r.lot}`} loading={expiring.loading} dataSource={expiring.data?.items ?? []}
            columns={[{ title: '仓库', dataIndex: 'warehouse' }, { title: '物资', render: (_, r) => `${r.name}（${r.category}）` }, { title: '批号', dataIndex: 'lot' },
              { title: '有效期至', dataIndex: 'expiresOn' }, { title: '剩余天数', dataIndex: 'daysLeft', render: (d: number) => <Tag color={d <= 30 ? 'red' : 'orange'}>{d}</Tag> }, { title: '结存', dataIndex: 'onHand', align: 'right' }]} />
        ) },
        { key: 'quota', label: `低于定额（${below.data?.items.length ?? 0}）`, children: (
          <Table<BelowQuota> size="small" rowKey={(r) => `${r.warehouse}|${r.category}`} loading={below.loading} dataSource={below.data?.items ?? []}
            columns={[{ title: '仓库', dataIndex: 'warehouse' }, { title: '物资', render: (_, r) => `${r.name}（${r.category}）` }, { title: '定额', dataIndex: 'quota', align: 'right' },
              { title: '可用', dataIndex: 'usable', align: 'right' }, { title: '缺口', dataIndex: 'shortfall', align: 'right', render: (v) => <b style={{ color: '#cf1322' }}>{v}</b> }, { title: '单位', dataIndex: 'unit' }]} />
        ) },
      ]} />
    </Card>
  );
}

interface StocktakeLine { category: string; lot: string | null; book: string; counted: string | null }
interface Stocktake { id: string; warehouse: string; status: string; documentId: string | null; lines: StocktakeLine[] }

/** 盘点: snapshot the book, print the count sheet, enter counts, see each difference before posting it. */
export function Stocktakes({ actor }: ScreenProps) {
  const { options, categories, first } = useWarehouseChoice(actor);
  const [warehouse, setWarehouse] = useState<string>();
  const [sheet, setSheet] = useState<Stocktake | null>(null);
  const [counts, setCounts] = useState<Record<number, string>>({});
  const [busy, run] = useAction();
  const { message, modal } = App.useApp();
  const current = warehouse ?? first;
  const load = async (id: string) => {
    const full = await run(() => call<Stocktake>(api.GET('/stocktakes/{id}', { params: { path: { id } } })));
    if (full) {
      setSheet(full);
      setCounts(Object.fromEntries(full.lines.map((l, i) => [i, l.counted ?? ''])));
    }
  };
  const start = async () => {
    const opened = await run(() => call<{ id: string }>(api.POST('/stocktakes', { body: { warehouse: current! } })));
    if (opened) await load(opened.id);
  };
  const lines = sheet?.lines ?? [];
  const problems = lines.map((l, i) => (counts[i] ? quantityProblem(counts[i]!, categories.get(l.category)?.scale ?? 3) : null));
  const save = async () => {
    const entered = lines.flatMap((l, i) => (counts[i] ? [{ category: l.category, lot: l.lot, counted: counts[i]! }] : []));
    if (!entered.length) return message.warning('还没有填写任何实盘数量');
    if (await run(() => call(api.POST('/stocktakes/{id}/counts', { params: { path: { id: sheet!.id } }, body: { lines: entered } })))) {
      message.success(`已保存 ${entered.length} 行实盘数量`);
      await load(sheet!.id);
    }
  };
  const post = () => modal.confirm({
    title: '过账盘点差异', content: '差异将记入台帐（盘盈入库、盘亏出库），过账后不能再修改点数。', okText: '过账', cancelText: '取消',
    onOk: async () => {
      if (await run(() => call(api.POST('/stocktakes/{id}/post', { params: { path: { id: sheet!.id } } })))) {
        message.success('盘点差异已过账');
        await load(sheet!.id);
      }
    },
  });
  return (
    <Card>
      <Space wrap style={{ marginBottom: 12 }} className="no-print">
        <Select style={{ width: 280 }} value={current} options={options} onChange={setWarehouse} />
        <Button type="primary" onClick={start} loading={busy} disabled={!current}>开始盘点（生成盘点表）</Button>
        {sheet && <Button onClick={() => print()}>打印盘点表</Button>}
        {sheet?.status === 'COUNTING' && <Button onClick={save} loading={busy} disabled={problems.some(Boolean)}>保存实盘数量</Button>}
        {sheet?.status === 'COUNTING' && <Button danger onClick={post} disabled={lines.some((l) => l.counted === null)}>过账差异</Button>}
      </Space>
      {sheet && (
        <div className="print-area">
          <h3>盘点表 {sheet.id}　仓库 {sheet.warehouse}　状态 {sheet.status === 'COUNTING' ? '盘点中' : '已过账'}</h3>
          <Table<StocktakeLine> size="small" rowKey={(l) => `${l.category}|${l.lot ?? ''}`} pagination={false} dataSource={lines} columns={[
            { title: '物资', render: (_, l) => categoryLabel(categories.get(l.category), l.category) },
            { title: '批号', dataIndex: 'lot', render: (v) => v ?? '—' },
            { title: '账面', dataIndex: 'book', align: 'right' },
            { title: '实盘', render: (_, l, i) => sheet.status !== 'COUNTING' ? l.counted : (
              <div>
                <Input value={counts[i] ?? ''} status={problems[i] ? 'error' : undefined} style={{ width: 110 }} aria-label="实盘数量" inputMode="decimal" onChange={(e) => setCounts({ ...counts, [i]: e.target.value })} />
                {problems[i] && <div style={{ color: '#cf1322', fontSize: 12 }}>{problems[i]}</div>}
              </div>
            ) },
            { title: '差异', align: 'right', render: (_, l, i) => {
              const counted = counts[i] || l.counted;
              if (!counted || problems[i]) return '';
              const difference = minus(counted, l.book);
              return difference === '0' ? '0' : <b style={{ color: difference.startsWith('-') ? '#cf1322' : '#389e0d' }}>{difference.startsWith('-') ? difference : `+${difference}`}</b>;
            } },
            { title: '单位', render: (_, l) => categories.get(l.category)?.unit },
          ]} />
        </div>
      )}
    </Card>
  );
}
