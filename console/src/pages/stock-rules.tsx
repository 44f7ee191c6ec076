import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { categoryLabel, useCatalog } from '../catalog';
import { quantityProblem } from '../domain';
import { useAction, useLoad } from '../hooks';
import type { ScreenProps } from '../Shell';

type Lot = components['schemas']['Lot'];
type Quota = components['schemas']['Quota'];
type LotStatus = Lot['status'];
const LOT_STATUS_ZH: Record<LotStatus, string> = { AVAILABLE: '可用', QUARANTINED: '隔离待检', EXPIRED: '已过期' };
const LOT_COLOR: Record<LotStatus, string> = { AVAILABLE: 'green', QUARANTINED: 'gold', EXPIRED: 'red' };

/** The warehouses a user works in: a keeper's own, everyone else every warehouse. */
function useWarehouses(actor: ScreenProps['actor']) {
  const { warehouses, categories } = useCatalog();
  const codes = actor.role === 'keeper' ? actor.warehouses : warehouses.map((w) => w.code);
  const label = (code: string) => { const w = warehouses.find((x) => x.code === code); return w ? `${w.name}（${code}）` : code; };
  return { categories, codes, label, options: codes.map((c) => ({ value: c, label: label(c) })) };
}

/** 批次状态: the lots of a lot-kept category with their stock; keepers (their warehouses) and admins quarantine, release or expire a lot. */
export function Lots({ actor }: ScreenProps) {
  const { categories, codes, label, options } = useWarehouses(actor);
  const [category, setCategory] = useState<string>();
  const [warehouse, setWarehouse] = useState<string>();
  const current = warehouse ?? (actor.role === 'keeper' ? codes[0] : undefined);
  const { data, loading, reload } = useLoad(() => (category ? call<components['schemas']['GetLotsReply']>(api.GET('/lots', { params: { query: { category, ...(current ? { warehouse: current } : {}) } } })) : Promise.resolve(undefined)), [category, current]);
  const [changing, setChanging] = useState<Lot | null>(null);
  const canChange = (lot: Lot) => actor.role === 'admin' || (actor.role === 'keeper' && lot.stock.some((s) => actor.warehouses.includes(s.warehouse)));
  const lotKept = [...categories.values()].filter((c) => c.lotTracked).map((c) => ({ value: c.code, label: categoryLabel(c, c.code) }));
  return (
    <Card>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select showSearch style={{ width: 340 }} placeholder="选择按批次管理的物资（输入名称或代码）" optionFilterProp="label" options={lotKept} value={category} onChange={setCategory} aria-label="批次物资" />
        <Select style={{ width: 280 }} value={current} options={options} onChange={setWarehouse} allowClear={actor.role !== 'keeper'} placeholder="全部仓库" aria-label="仓库" />
      </Space>
      {!category ? <Alert type="info" showIcon message="请选择物资，查看其各批次的状态与库存" /> : (
        <Table<Lot> size="small" rowKey="lot" loading={loading} dataSource={data?.items ?? []} pagination={{ pageSize: 20 }} scroll={{ x: 900 }} columns={[
          { title: '批号', dataIndex: 'lot' }, { title: '有效期至', dataIndex: 'expiresOn' },
          { title: '状态', render: (_, l) => <Space size={4}><Tag color={LOT_COLOR[l.effectiveStatus]}>{LOT_STATUS_ZH[l.effectiveStatus]}</Tag>{l.status !== l.effectiveStatus && <span style={{ color: '#888' }}>（登记为{LOT_STATUS_ZH[l.status]}，已过有效期）</span>}</Space> },
          { title: '原因', dataIndex: 'statusReason', render: (v) => v ?? '—' },
          { title: '库存', render: (_, l) => l.stock.map((s) => `${label(s.warehouse)} ${s.onHand}`).join('；') || '—' },
          { title: '', render: (_, l) => (canChange(l) ? <Button size="small" onClick={() => setChanging(l)}>变更状态</Button> : null) },
        ]} />
      )}
      {changing && category && <LotStatusDialog category={category} lot={changing} onClose={(done) => { setChanging(null); if (done) reload(); }} />}
    </Card>
  );
}

function LotStatusDialog({ category, lot, onClose }: { category: string; lot: Lot; onClose: (done: boolean) => void }) {
  const [status, setStatus] = useState<LotStatus>(lot.status === 'AVAILABLE' ? 'QUARANTINED' : 'AVAILABLE');
  const [reason, setReason] = useState('');
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const save = async () => {
    const reply = await run(() => call<Lot>(api.POST('/lots/{category}/{lot}/status', { params: { path: { category, lot: lot.lot } }, body: { status, reason: reason.trim() } })));
    if (reply) { message.success(`批次 ${lot.lot} 已设为${LOT_STATUS_ZH[reply.status]}`); onClose(true); }
  };
  return (
    <Modal open title={`变更批次 ${lot.lot} 的状态`} onOk={save} onCancel={() => onClose(false)} okText="保存" cancelText="取消" okButtonProps={{ disabled: !reason.trim() || status === lot.status }} confirmLoading={busy}>
      <p>隔离待检和已过期的批次不参与调拨预留和出库。</p>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Select style={{ width: 200 }} value={status} onChange={setStatus} aria-label="批次状态" options={(Object.keys(LOT_STATUS_ZH) as LotStatus[]).map((s) => ({ value: s, label: LOT_STATUS_ZH[s] }))} />
        <Input.TextArea rows={2} placeholder="原因（必填）" aria-label="状态原因" value={reason} onChange={(e) => setReason(e.target.value)} />
      </Space>
    </Modal>
  );
}

/** 储备定额: the reserve each warehouse must keep of a category; admins set it. */
export function Quotas({ actor }: ScreenProps) {
  const { categories, codes, label, options } = useWarehouses(actor);
  const [warehouse, setWarehouse] = useState<string>();
  const current = warehouse ?? (actor.role === 'keeper' ? codes[0] : undefined);
  const { data, loading, reload } = useLoad(() => call<components['schemas']['GetQuotasReply']>(api.GET('/quotas', { params: { query: current ? { warehouse: current } : {} } })), [current]);
  const [form] = Form.useForm<{ warehouse: string; category: string; quantity: string }>();
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const chosen = categories.get(Form.useWatch('category', form) ?? '');
  const save = async (v: { warehouse: string; category: string; quantity: string }) => {
    const reply = await run(() => call<Quota>(api.PUT('/quotas', { body: { warehouse: v.warehouse, category: v.category, quantity: v.quantity.trim() } })));
    if (reply) { message.success(`${label(reply.warehouse)} 的 ${categoryLabel(categories.get(reply.category), reply.category)} 定额已设为 ${reply.quantity}`); form.resetFields(['quantity']); reload(); }
  };
  const edit = (q: Quota) => form.setFieldsValue({ warehouse: q.warehouse, category: q.category, quantity: q.quantity });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {actor.role === 'admin' && (
        <Card title="设置储备定额">
          <Form form={form} layout="inline" onFinish={save}>
            <Form.Item name="warehouse" rules={[{ required: true, message: '请选择仓库' }]}><Select style={{ width: 260 }} options={options} placeholder="仓库" aria-label="定额仓库" /></Form.Item>
            <Form.Item name="category" rules={[{ required: true, message: '请选择物资' }]}>
              <Select showSearch style={{ width: 320 }} placeholder="物资（输入名称或代码）" optionFilterProp="label" aria-label="定额物资" options={[...categories.values()].map((c) => ({ value: c.code, label: categoryLabel(c, c.code) }))} />
            </Form.Item>
            <Form.Item name="quantity" rules={[{ validator: (_, v: string) => { const p = v === '0' ? null : quantityProblem(v ?? '', chosen?.scale ?? 3); return p ? Promise.reject(new Error(p)) : Promise.resolve(); } }]}>
              <Input style={{ width: 150 }} placeholder="定额数量" suffix={chosen?.unit} aria-label="定额数量" inputMode="decimal" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>保存定额</Button>
          </Form>
        </Card>
      )}
      <Card>
        <Space style={{ marginBottom: 12 }}><Select style={{ width: 280 }} value={current} options={options} onChange={setWarehouse} allowClear={actor.role !== 'keeper'} placeholder="全部仓库" aria-label="仓库" /></Space>
        <Table<Quota> size="small" rowKey={(q) => `${q.warehouse}|${q.category}`} loading={loading} dataSource={data?.items ?? []} pagination={{ pageSize: 20 }} columns={[
          { title: '仓库', dataIndex: 'warehouse', render: label }, { title: '物资', dataIndex: 'category', render: (c: string) => categoryLabel(categories.get(c), c) },
          { title: '定额', dataIndex: 'quantity', align: 'right' }, { title: '单位', render: (_, q) => categories.get(q.category)?.unit },
          ...(actor.role === 'admin' ? [{ title: '', render: (_: unknown, q: Quota) => <Button size="small" onClick={() => edit(q)}>修改</Button> }] : []),
        ]} />
      </Card>
    </Space>
  );
}
