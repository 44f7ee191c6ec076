import { Alert, App, Button, Card, Checkbox, DatePicker, Form, Input, Modal, Select, Space, Table, Tabs, Tag, Upload } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, ApiError, call } from '../api/client';
import type { components } from '../api/schema';
import { today, type Actor } from '../domain';
import { useAction, useLoad } from '../hooks';
import type { ScreenProps } from '../Shell';
import { ProblemTable, type Problem } from './admin';

type S<K extends keyof components['schemas']> = components['schemas'][K];
const MONEY = /^\d{1,12}(\.\d{1,2})?$/;
const at = (t: string | null | undefined) => t?.replace('T', ' ').slice(0, 16) ?? '—';

/** 取消批次: only while OPEN (the bank file not yet downloaded); the amounts can be batched again. */
export function CancelBatch({ batch, onDone }: { batch: { id: string; number: string }; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const cancel = async () => {
    const reply = await run(() => call<S<'PayoutBatch'>>(api.POST('/payout-batches/{id}/cancel', { params: { path: { id: batch.id } }, body: { reason: reason.trim() } })));
    if (reply) { message.success(`批次 ${reply.number} 已取消，其中案件可重新生成批次`); setOpen(false); onDone(); }
  };
  return (
    <>
      <Button danger onClick={() => setOpen(true)}>取消批次</Button>
      <Modal open={open} title={`取消批次 ${batch.number}`} onOk={cancel} onCancel={() => setOpen(false)} okText="确认取消批次" cancelText="返回" okButtonProps={{ danger: true, disabled: !reason.trim() }} confirmLoading={busy}>
        <p>批次取消后不能恢复；其中的案件回到待支付列表，可重新生成批次。</p>
        <Input.TextArea rows={2} placeholder="取消原因（必填）" aria-label="取消原因" value={reason} onChange={(e) => setReason(e.target.value)} />
      </Modal>
    </>
  );
}

const OUTCOME_ZH: Record<S<'BatchConfirmation'>['lines'][number]['outcome'], string> = { PAID: '已支付', FAILED: '失败', RETURNED: '退回', UNCHANGED: '与已登记一致' };

/** 导入银行回单文件: the bank's CSV answer; every problem listed by row, nothing recorded until the file is clean. */
export function ReturnFile({ batch, onDone }: { batch: { id: string }; onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<S<'BatchConfirmation'> | null>(null);
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [busy, setBusy] = useState(false);
  const { message } = App.useApp();
  const send = async () => {
    if (!file) return;
    setBusy(true);
    setResult(null);
    setProblems(null);
    try {
      const reply = await call<S<'BatchConfirmation'>>(api.POST('/payout-batches/{id}/return-file', { params: { path: { id: batch.id } }, body: '', bodySerializer: () => file, headers: { 'content-type': 'text/csv' } }));
      setResult(reply);
      message.success('银行回单文件已登记');
      onDone();
    } catch (error) {
      if (error instanceof ApiError && error.details.length) setProblems(error.details as Problem[]);
      else message.error(error instanceof ApiError ? error.text : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small" title="导入银行回单文件（CSV）" style={{ marginBottom: 12 }}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <span style={{ color: '#666' }}>须有“用途”（案件号）和“状态”（成功/失败/退回）两列；可含银行流水号、交易日期、失败原因、金额。</span>
        <Space wrap>
          <Upload beforeUpload={(f) => { setFile(f); return false; }} maxCount={1} accept=".csv,text/csv" onRemove={() => setFile(null)}>
            <Button>选择回单文件</Button>
          </Upload>
          <Button type="primary" onClick={send} disabled={!file} loading={busy}>登记回单文件</Button>
        </Space>
        {result && (
          <>
            <Alert type="success" showIcon message={`已支付 ${result.paid} 笔，失败 ${result.failed} 笔，退回 ${result.returned} 笔，未变 ${result.unchanged} 笔，仍待回单 ${result.pending} 笔`} />
            <Table size="small" rowKey="position" pagination={false} dataSource={result.lines} columns={[
              { title: '序号', dataIndex: 'position' }, { title: '案件号', dataIndex: 'claim' }, { title: '金额', dataIndex: 'amount', align: 'right' },
              { title: '结果', dataIndex: 'outcome', render: (o: keyof typeof OUTCOME_ZH) => OUTCOME_ZH[o] ?? o },
            ]} />
          </>
        )}
        {problems && (
          <>
            <Alert type="error" showIcon message={`回单文件有 ${problems.length} 处问题，未登记任何一笔。请按下表修改后重新上传。`} />
            <ProblemTable problems={problems} />
          </>
        )}
      </Space>
    </Card>
  );
}

/** 登记银行退回: a confirmed payment the bank sent back; the claim becomes payable again. */
export function ReturnPayment({ payment, claim, amount, onDone }: { payment: string; claim: string; amount: string; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ reason: string; returnedOn: Dayjs }>();
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const submit = async () => {
    const v = await form.validateFields();
    const reply = await run(() => call<S<'PostPaymentsByIdReturnReply'>>(api.POST('/payments/{id}/return', { params: { path: { id: payment } }, body: { reason: v.reason.trim(), returnedOn: v.returnedOn.format('YYYY-MM-DD') } })));
    if (reply) { message.success(`已登记退回：案件 ${reply.claim} 的 ${reply.amount} 元可重新支付`); setOpen(false); onDone(); }
  };
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>登记退回</Button>
      <Modal open={open} title={`登记银行退回：案件 ${claim}，${amount} 元`} onOk={submit} onCancel={() => setOpen(false)} okText="确认退回" cancelText="取消" okButtonProps={{ danger: true }} confirmLoading={busy}>
        <p>将记一笔冲回（原支付保留），案件回到“已批准”，该金额可重新支付。此操作不能撤销。</p>
        <Form form={form} layout="vertical" initialValues={{ returnedOn: dayjs(today()) }}>
          <Form.Item label="退回原因" name="reason" rules={[{ required: true, whitespace: true, message: '请填写银行退回原因' }]}><Input aria-label="退回原因" placeholder="如 账户已销户" /></Form.Item>
          <Form.Item label="退回日期" name="returnedOn" rules={[{ required: true }]}><DatePicker /></Form.Item>
        </Form>
      </Modal>
    </>
  );
}

const RECOVERY_KIND_ZH: Record<S<'Recovery'>['kind'], string> = { THIRD_PARTY: '第三方追偿', ADVANCE_EXCESS: '预付超付追回' };

/** 追偿: amounts owed back (a liable third party, an advance above the final amount) and what has been collected. */
export function Recoveries({ actor }: ScreenProps) {
  const [status, setStatus] = useState<'OPEN' | 'COLLECTED'>('OPEN');
  const { data, loading, reload } = useLoad(() => call<S<'GetRecoveriesReply'>>(api.GET('/recoveries', { params: { query: { status, limit: 500 } } })), [status]);
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ claim: string; debtor: string; amount: string; reason: string }>();
  const [collecting, setCollecting] = useState<S<'Recovery'> | null>(null);
  const finance = actor.role === 'finance';
  const create = async (v: { claim: string; debtor: string; amount: string; reason: string }) => {
    const reply = await run(() => call<S<'Recovery'>>(api.POST('/recoveries', { body: { claim: v.claim.trim(), debtor: v.debtor.trim(), amount: v.amount, reason: v.reason.trim() } })));
    if (reply) { message.success(`追偿 ${reply.number} 已登记：${reply.debtor} 应付 ${reply.amount} 元`); form.resetFields(); setStatus('OPEN'); reload(); }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {finance && (
        <Card title="登记第三方追偿（重大恶性案件伤害、突发事件应对案件）">
          <Form form={form} layout="vertical" onFinish={create}>
            <Space wrap align="start">
              <Form.Item label="案件号" name="claim" rules={[{ required: true, whitespace: true, message: '请填写案件号' }]}><Input style={{ width: 200 }} aria-label="案件号" placeholder="如 LP…" /></Form.Item>
              <Form.Item label="责任方" name="debtor" rules={[{ required: true, whitespace: true, message: '请填写责任方' }]}><Input style={{ width: 220 }} aria-label="责任方" /></Form.Item>
              <Form.Item label="金额（元）" name="amount" rules={[{ required: true, pattern: MONEY, message: '金额，最多两位小数' }]}><Input style={{ width: 140 }} aria-label="追偿金额" inputMode="decimal" /></Form.Item>
              <Form.Item label="依据" name="reason" rules={[{ required: true, whitespace: true, message: '请填写追偿依据' }]}><Input style={{ width: 320 }} aria-label="追偿依据" placeholder="如 法院判决书编号" /></Form.Item>
            </Space>
            <Button type="primary" htmlType="submit" loading={busy}>登记追偿</Button>
          </Form>
        </Card>
      )}
      <Card>
        <Tabs activeKey={status} onChange={(k) => setStatus(k as 'OPEN' | 'COLLECTED')} items={[{ key: 'OPEN', label: '未收回' }, { key: 'COLLECTED', label: '已收回' }]} />
        <Table<S<'Recovery'>> size="small" rowKey="id" loading={loading} dataSource={data?.items ?? []} pagination={{ pageSize: 20 }} scroll={{ x: 1000 }} columns={[
          { title: '追偿号', dataIndex: 'number' }, { title: '案件号', dataIndex: 'claim', render: (n, r) => <a href={`#/claim/${r.claimId}`}>{n}</a> },
          { title: '类型', dataIndex: 'kind', render: (k: S<'Recovery'>['kind']) => RECOVERY_KIND_ZH[k] ?? k },
          { title: '责任方', dataIndex: 'debtor' }, { title: '依据', dataIndex: 'reason', ellipsis: true },
          { title: '应收', dataIndex: 'amount', align: 'right' }, { title: '已收', dataIndex: 'collected', align: 'right' }, { title: '未收', dataIndex: 'outstanding', align: 'right' },
          { title: '登记时间', dataIndex: 'createdAt', render: at },
          { title: '', render: (_, r) => (finance && r.status === 'OPEN' ? <Button size="small" type="primary" onClick={() => setCollecting(r)}>登记收款</Button> : r.status === 'COLLECTED' ? <Tag color="green">已收回</Tag> : null) },
        ]} />
      </Card>
      {collecting && <Collect recovery={collecting} onClose={(done) => { setCollecting(null); if (done) reload(); }} />}
    </Space>
  );
}

function Collect({ recovery, onClose }: { recovery: S<'Recovery'>; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<{ amount: string; collectedOn: Dayjs; reference: string }>();
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const submit = async () => {
    const v = await form.validateFields();
    const reply = await run(() => call<S<'PostRecoveriesByIdCollectReply'>>(api.POST('/recoveries/{id}/collect', { params: { path: { id: recovery.id } }, body: { amount: v.amount, collectedOn: v.collectedOn.format('YYYY-MM-DD'), reference: v.reference.trim() } })));
    if (reply) { message.success(reply.status === 'COLLECTED' ? `追偿 ${reply.number} 已全部收回` : `已登记收款，尚未收回 ${reply.outstanding} 元`); onClose(true); }
  };
  return (
    <Modal open title={`登记收款：${recovery.number}（${recovery.debtor}，未收 ${recovery.outstanding} 元）`} onOk={submit} onCancel={() => onClose(false)} okText="登记收款" cancelText="取消" confirmLoading={busy}>
      <Form form={form} layout="vertical" initialValues={{ amount: recovery.outstanding, collectedOn: dayjs(today()) }}>
        <Form.Item label="收款金额（元，不超过未收金额）" name="amount" rules={[{ required: true, pattern: MONEY, message: '金额，最多两位小数' }]}><Input aria-label="收款金额" inputMode="decimal" /></Form.Item>
        <Form.Item label="到账日期" name="collectedOn" rules={[{ required: true }]}><DatePicker /></Form.Item>
        <Form.Item label="银行流水号" name="reference" rules={[{ required: true, whitespace: true, message: '请填写流水号' }]}><Input aria-label="收款流水号" /></Form.Item>
      </Form>
    </Modal>
  );
}

const GROUPS = [{ value: 'product', label: '险种' }, { value: 'month', label: '支付月份' }, { value: 'district', label: '事件区（市）' }] as const;
type Group = (typeof GROUPS)[number]['value'];

/** 赔付统计: money out by product, month and district; loss ratio per product and policy year. */
export function PayoutFigures(_: ScreenProps) {
  const [groupBy, setGroupBy] = useState<Group[]>(['product']);
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  const summary = useLoad(() => call<S<'GetPayoutsSummaryReply'>>(api.GET('/payouts/summary', { params: { query: {
    ...(groupBy.length ? { groupBy: groupBy.join(',') } : {}), ...(range ? { from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') } : {}),
  } } })), [groupBy.join(), range?.[0].valueOf(), range?.[1].valueOf()]);
  const products = useLoad(() => call<S<'GetProductsReply'>>(api.GET('/products')), []);
  const [product, setProduct] = useState<string>();
  const productName = (code?: string) => products.data?.items.find((p) => p.code === code)?.name ?? code ?? '';
  const ratio = useLoad(() => (product ? call<S<'GetProductsByCodeLossRatioReply'>>(api.GET('/products/{code}/loss-ratio', { params: { path: { code: product } } })) : Promise.resolve(undefined)), [product]);
  type Row = S<'GetPayoutsSummaryReply'>['items'][number];
  const percent = (r: string) => `${(Number(r) * 100).toFixed(2)}%`;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card title="赔款支付汇总（按支付日，退回记负数）">
        <Space wrap style={{ marginBottom: 12 }}>
          <span>分组：</span>
          <Checkbox.Group value={groupBy} onChange={(v) => setGroupBy(v as Group[])} options={GROUPS.map((g) => ({ value: g.value, label: g.label }))} />
          <span>支付日期：</span>
          <DatePicker.RangePicker value={range} onChange={(v) => setRange(v && v[0] && v[1] ? [v[0], v[1]] : null)} />
          <span>合计 <b>{summary.data?.total ?? '—'}</b> 元</span>
        </Space>
        <Table<Row> size="small" rowKey={(r) => `${r.product ?? ''}|${r.month ?? ''}|${r.district ?? ''}`} loading={summary.loading} dataSource={summary.data?.items ?? []} pagination={{ pageSize: 20 }} scroll={{ x: 900 }} columns={[
          ...(groupBy.includes('product') ? [{ title: '险种', render: (_: unknown, r: Row) => productName(r.product) }] : []),
          ...(groupBy.includes('month') ? [{ title: '月份', dataIndex: 'month' }] : []),
          ...(groupBy.includes('district') ? [{ title: '区（市）', dataIndex: 'district' }] : []),
          { title: '案件数', dataIndex: 'claims', align: 'right' }, { title: '支付笔数', dataIndex: 'payments', align: 'right' },
          { title: '预付', dataIndex: 'advances', align: 'right' }, { title: '批次及单笔支付', dataIndex: 'paidInBatchesOrDirect', align: 'right' },
          { title: '退回', dataIndex: 'returned', align: 'right' }, { title: '净支付', dataIndex: 'paid', align: 'right', render: (v: string) => <b>{v}</b> },
        ]} />
      </Card>
      <Card title="赔付率（保单年度 7 月 31 日至次年 7 月 30 日，按出险日）" extra={
        <Select style={{ width: 220 }} placeholder="选择险种" aria-label="赔付率险种" value={product} onChange={setProduct} loading={products.loading}
          options={(products.data?.items ?? []).map((p) => ({ value: p.code, label: p.name }))} />
      }>
        {!product ? <Alert type="info" showIcon message="请先选择险种" /> : (
          <Table size="small" rowKey="policyYear" loading={ratio.loading} dataSource={ratio.data?.items ?? []} pagination={false} scroll={{ x: 900 }} columns={[
            { title: '保单年度', dataIndex: 'policyYear', render: (y: number, r) => `${y}（${r.from} 至 ${r.to}）` },
            { title: '案件数', dataIndex: 'claims', align: 'right' }, { title: '保费', dataIndex: 'premium', align: 'right' }, { title: '已付赔款', dataIndex: 'paid', align: 'right' },
            { title: '赔付率', dataIndex: 'lossRatio', align: 'right', render: percent }, { title: '追偿收回', dataIndex: 'recovered', align: 'right' },
            { title: '净赔款', dataIndex: 'net', align: 'right' }, { title: '净赔付率', dataIndex: 'netLossRatio', align: 'right', render: percent },
          ]} />
        )}
      </Card>
    </Space>
  );
}

type PaymentRow = S<'GetClaimsByIdPaymentsReply'>['items'][number];
const PAYMENT_KIND_ZH: Record<PaymentRow['kind'], string> = { ADVANCE: '预付', PAYMENT: '赔款', REVERSAL: '冲回（银行退回）' };

/** 支付记录 on the claim page: the claim's payments ledger; finance records a bank return against a payment here (direct ones too). */
export function ClaimPayments({ actor, claim, version, onDone }: { actor: Actor; claim: string; version: string; onDone: () => void }) {
  const { data, loading, reload } = useLoad(() => call<S<'GetClaimsByIdPaymentsReply'>>(api.GET('/claims/{id}/payments', { params: { path: { id: claim } } })), [claim, version]);
  if (!loading && (data?.items.length ?? 0) === 0) return null;
  return (
    <Card title="支付记录">
      <Table<PaymentRow> size="small" rowKey="id" loading={loading} pagination={false} dataSource={data?.items ?? []} columns={[
        { title: '类别', dataIndex: 'kind', render: (kind: PaymentRow['kind']) => PAYMENT_KIND_ZH[kind] },
        { title: '金额（元）', dataIndex: 'amount', align: 'right' },
        { title: '支付日期', dataIndex: 'paidOn' },
        { title: '银行流水号', dataIndex: 'reference', render: (v: string | null) => v ?? '—' },
        { title: '支付批次', dataIndex: 'batch', render: (v: string | null) => v ?? '单笔支付' },
        { title: '说明', render: (_, row) => (row.reversedBy ? '已被银行退回' : row.reason ?? '') },
        ...(actor.role === 'finance'
          ? [{ title: '操作', render: (_: unknown, row: PaymentRow) => (row.kind !== 'REVERSAL' && !row.reversedBy && row.amount !== '0.00'
              ? <ReturnPayment payment={row.id} claim={data!.claim} amount={row.amount} onDone={() => { reload(); onDone(); }} />
              : null) }]
          : []),
      ]} />
    </Card>
  );
}
