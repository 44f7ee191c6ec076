import { Alert, App, Button, Card, Checkbox, DatePicker, Descriptions, Form, Input, InputNumber, Modal, Radio, Select, Space, Table, Tabs, Tag, Timeline, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, call, type Page } from '../api/client';
import { CLAIM_STATUS_ZH, PRODUCTS, residentIdProblem, today } from '../domain';
import { useAction, useLoad } from '../hooks';
import type { ScreenProps } from '../Shell';
import { ClaimActions } from './claim-actions';
import { ClaimPayments } from './finance';

interface ClaimItem {
  id: string; number: string; product: string; status: string; claimantName: string; district: string; event: { name: string };
  incidentOn: string; reportedOn: string; payable: string; paid: string; remaining: string; overdue: boolean; dueDates: { decision: string | null; payment: string | null };
}
interface DocumentsView { required: string[]; received: { name: string; receivedOn: string }[]; missing: string[]; notice: string | null; completeOn: string | null }
interface ClaimDetail {
  id: string; number: string; product: string; status: string; statusLabel: string; event: { id: string; name: string; occurredOn: string; district: string };
  claimant: { name: string; idNumber: string; phone: string; hasMedicalInsurance: boolean; bank: { accountName: string; accountNumber: string; bankName: string } };
  incidentOn: string; reportedOn: string; description: string; benefits: string[]; documents: DocumentsView;
  assessed: string | null; approved: string; payable: string; paid: string; remaining: string; advanceApproved: string; advancePaid: string;
  assessment: { total: string; state: string; assessedBy: string; items: { type: string; grade?: number; payable: string; approved: string | null; explanation: string }[]; approvals: { step: string; approver: string; at: string }[] } | null;
  needsSecondApproval: boolean; holdReasons: string[] | null; dueDates: { decision: string | null; payment: string | null }; overdue: boolean; actions: string[];
}
interface Event { id: string; type: string; typeLabel?: string; name: string; occurredOn: string; district: string }

const BENEFITS: { value: 'DEATH' | 'DISABILITY' | 'MEDICAL' | 'FUNERAL' | 'RESETTLEMENT' | 'LIVING_AID'; label: string }[] = [
  { value: 'MEDICAL', label: '医疗费用' }, { value: 'DISABILITY', label: '伤残' }, { value: 'DEATH', label: '身故' },
  { value: 'FUNERAL', label: '丧葬费' }, { value: 'RESETTLEMENT', label: '临时安置' }, { value: 'LIVING_AID', label: '生活救助' },
];
const productName = (code: string) => PRODUCTS.find((p) => p.code === code)?.name ?? code;
const statusTag = (s: string) => <Tag color={{ APPROVED: 'green', PAID: 'green', REJECTED: 'red', HELD: 'gold', RETURNED: 'orange' }[s] ?? 'blue'}>{CLAIM_STATUS_ZH[s] ?? s}</Tag>;
const open = (id: string) => { location.hash = `/claim/${id}`; };

function useEvents() {
  return useLoad(() => call<Page<Event>>(api.GET('/events', { params: { query: { limit: 200 } } })), []);
}

/** 报案受理: the resident ID is checked as it is typed; the reply shows the missing-documents notice, ready to print. */
export function Intake(_: ScreenProps) {
  const [form] = Form.useForm();
  const events = useEvents();
  const [busy, run] = useAction();
  const [created, setCreated] = useState<ClaimDetail | null>(null);
  const [newEvent, setNewEvent] = useState(false);
  const idNumber = Form.useWatch(['claimant', 'idNumber'], form) as string | undefined;
  const idProblem = residentIdProblem((idNumber ?? '').trim().toUpperCase());
  const submit = async (v: { product: 'PUBLIC_LIABILITY'; event: string; claimant: ClaimDetail['claimant']; incidentOn: Dayjs; description: string; benefits: typeof BENEFITS[number]['value'][] }) => {
    const reply = await run(async () => {
      const { id } = await call<{ id: string }>(api.POST('/claims', { body: {
      product: v.product, event: v.event, description: v.description, benefits: v.benefits, incidentOn: v.incidentOn.format('YYYY-MM-DD'),
      claimant: { ...v.claimant, idNumber: v.claimant.idNumber.trim().toUpperCase(), hasMedicalInsurance: !!v.claimant.hasMedicalInsurance },
      } }));
      return call<ClaimDetail>(api.GET('/claims/{id}', { params: { path: { id } } }));
    });
    if (reply) setCreated(reply);
  };
  if (created) return <Registered claim={created} onNext={() => { setCreated(null); form.resetFields(); }} />;
  return (
    <Card title="报案受理">
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ product: 'PUBLIC_LIABILITY', benefits: ['MEDICAL'], incidentOn: dayjs(today()), claimant: { hasMedicalInsurance: true } }}>
        <Space wrap align="start">
          <Form.Item label="险种" name="product"><Select style={{ width: 200 }} options={PRODUCTS.map((p) => ({ value: p.code, label: p.name }))} /></Form.Item>
          <Form.Item label="灾害事件" name="event" rules={[{ required: true, message: '请选择事件' }]}>
            <Select style={{ width: 300 }} showSearch optionFilterProp="label" aria-label="灾害事件" loading={events.loading}
              options={(events.data?.items ?? []).map((e) => ({ value: e.id, label: `${e.name}（${e.occurredOn}，${e.district}）` }))} />
          </Form.Item>
          <Form.Item label=" "><Button onClick={() => setNewEvent(true)}>登记新事件</Button></Form.Item>
          <Form.Item label="出险日期" name="incidentOn" rules={[{ required: true }]}><DatePicker /></Form.Item>
        </Space>
        <Space wrap align="start">
          <Form.Item label="申请人姓名" name={['claimant', 'name']} rules={[{ required: true, message: '请填写姓名' }]}><Input style={{ width: 160 }} /></Form.Item>
          <Form.Item label="身份证号" name={['claimant', 'idNumber']} rules={[{ required: true, message: '请填写身份证号' }]}
            validateStatus={idNumber ? (idProblem ? 'error' : 'success') : undefined} help={idNumber ? idProblem ?? '号码校验通过' : undefined}>
            <Input style={{ width: 240 }} maxLength={18} aria-label="身份证号" />
          </Form.Item>
          <Form.Item label="联系电话" name={['claimant', 'phone']} rules={[{ required: true, message: '请填写电话' }]}><Input style={{ width: 160 }} /></Form.Item>
          <Form.Item label="有医保" name={['claimant', 'hasMedicalInsurance']} valuePropName="checked"><Checkbox>参加基本医疗保险</Checkbox></Form.Item>
        </Space>
        <Space wrap align="start">
          <Form.Item label="收款户名" name={['claimant', 'bank', 'accountName']} rules={[{ required: true, message: '请填写户名' }]}><Input style={{ width: 160 }} /></Form.Item>
          <Form.Item label="银行账号" name={['claimant', 'bank', 'accountNumber']} rules={[{ required: true, pattern: /^[\d\s]{8,40}$/, message: '8 至 32 位数字' }]}><Input style={{ width: 240 }} inputMode="numeric" /></Form.Item>
          <Form.Item label="开户行" name={['claimant', 'bank', 'bankName']} rules={[{ required: true, message: '请填写开户行' }]}><Input style={{ width: 240 }} /></Form.Item>
        </Space>
        <Form.Item label="申请项目" name="benefits" rules={[{ required: true, message: '至少选一项' }]}><Checkbox.Group options={BENEFITS} /></Form.Item>
        <Form.Item label="事故经过" name="description" rules={[{ required: true, message: '请简述事故经过' }]}><Input.TextArea rows={3} /></Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} disabled={!!idProblem}>受理登记</Button>
      </Form>
      {newEvent && <NewEvent onClose={(id) => { setNewEvent(false); if (id) { events.reload(); form.setFieldValue('event', id); } }} />}
    </Card>
  );
}

function NewEvent({ onClose }: { onClose: (id?: string) => void }) {
  const [form] = Form.useForm();
  const [busy, run] = useAction();
  const submit = async () => {
    const v = await form.validateFields();
    const reply = await run(() => call<Event>(api.POST('/events', { body: { type: v.type, name: v.name, district: v.district, occurredOn: v.occurredOn.format('YYYY-MM-DD') } })));
    if (reply) onClose(reply.id);
  };
  return (
    <Modal open title="登记灾害事件" onOk={submit} onCancel={() => onClose()} okText="登记" cancelText="取消" confirmLoading={busy}>
      <Form form={form} layout="vertical" initialValues={{ type: 'TYPHOON', occurredOn: dayjs(today()) }}>
        <Form.Item label="类型" name="type"><Select options={[['TYPHOON', '台风'], ['RAINSTORM', '暴雨'], ['FLOOD', '洪水'], ['EARTHQUAKE', '地震'], ['FIRE', '火灾'], ['DROWNING', '溺水'], ['TRAFFIC', '交通事故'], ['SUDDEN_INCIDENT', '其他突发事件']].map(([value, label]) => ({ value, label }))} /></Form.Item>
        <Form.Item label="名称" name="name" rules={[{ required: true }]}><Input /></Form.Item>
        <Form.Item label="区（市）" name="district" rules={[{ required: true }]}><Input placeholder="如 市南区" /></Form.Item>
        <Form.Item label="发生日期" name="occurredOn" rules={[{ required: true }]}><DatePicker /></Form.Item>
      </Form>
    </Modal>
  );
}

function Registered({ claim, onNext }: { claim: ClaimDetail; onNext: () => void }) {
  return (
    <Card title={`已受理：案件号 ${claim.number}`} extra={<Space><Button onClick={() => open(claim.id)}>打开案件</Button><Button onClick={onNext}>继续受理</Button></Space>}>
      <DocumentsNotice claim={claim} />
    </Card>
  );
}

/** The one notice of missing documents, laid out to print (the browser's print hides everything else). */
function DocumentsNotice({ claim }: { claim: ClaimDetail }) {
  const docs = claim.documents;
  if (!docs.missing.length) return <Alert type="success" showIcon message="材料齐全" />;
  return (
    <div className="print-area">
      <Typography.Title level={4} style={{ textAlign: 'center' }}>补充材料通知书</Typography.Title>
      <p>{claim.claimant.name}：您于 {claim.reportedOn} 报案的 {productName(claim.product)} 案件（案件号 {claim.number}）尚缺以下材料，请尽快补交：</p>
      <ol>{docs.missing.map((d) => <li key={d}>{d}</li>)}</ol>
      <Button className="no-print" onClick={() => print()}>打印通知书</Button>
    </div>
  );
}

/** Work lists: the assessor's open files; the approver's queue (overdue first, then oldest); held claims. */
export function ClaimQueue({ actor }: ScreenProps) {
  const tabs = actor.role === 'approver'
    ? [{ key: 'ASSESSED,PENDING_SECOND_APPROVAL', label: '待审批' }, { key: 'HELD', label: '暂缓案件' }, { key: 'APPROVED', label: '已批准' }]
    : actor.role === 'finance'
      ? [{ key: 'APPROVED', label: '待支付' }, { key: 'overdue', label: '超期案件' }, { key: 'PAID,CLOSED', label: '已赔付' }]
      : [{ key: 'REPORTED,SURVEYED,RETURNED', label: '待处理' }, { key: 'ASSESSED,PENDING_SECOND_APPROVAL,HELD', label: '审批中' }, { key: 'APPROVED,PAID,CLOSED,REJECTED,WITHDRAWN', label: '已办结' }];
  const [tab, setTab] = useState(tabs[0]!.key);
  const { data, loading } = useLoad(() => call<Page<ClaimItem>>(api.GET('/claims', { params: { query: tab === 'overdue' ? { overdue: 'true', limit: 500 } : { status: tab, limit: 500 } as never } })), [tab]);
  const rows = [...(data?.items ?? [])].sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.reportedOn.localeCompare(b.reportedOn) || Number(a.id) - Number(b.id));
  return (
    <Card>
      <Tabs activeKey={tab} onChange={setTab} items={tabs.map((t) => ({ key: t.key, label: t.label }))} />
      <Table<ClaimItem> size="small" rowKey="id" loading={loading} dataSource={rows} pagination={{ pageSize: 20 }} scroll={{ x: 900 }} onRow={(c) => ({ onClick: () => open(c.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: '案件号', dataIndex: 'number', render: (n, c) => <a>{n}</a> },
          { title: '状态', dataIndex: 'status', render: (s: string, c) => <Space size={4}>{statusTag(s)}{c.overdue && <Tag color="red">超期</Tag>}</Space> },
          { title: '申请人', dataIndex: 'claimantName' },
          { title: '险种', dataIndex: 'product', render: productName },
          { title: '事件', render: (_, c) => c.event?.name },
          { title: '报案日', dataIndex: 'reportedOn' },
          { title: '审批时限', render: (_, c) => c.dueDates.decision ?? '—' },
          { title: '应付金额', dataIndex: 'payable', align: 'right' },
        ]} />
    </Card>
  );
}

interface HistoryRow { at: string; actor: { name: string }; action: string; details?: unknown }

export function ClaimPage({ actor, param }: ScreenProps) {
  const { data: claim, loading, reload } = useLoad(() => (param ? call<ClaimDetail>(api.GET('/claims/{id}', { params: { path: { id: param } } })) : Promise.resolve(undefined)), [param]);
  const history = useLoad(() => (param ? call<{ items: HistoryRow[] }>(api.GET('/claims/{id}/history', { params: { path: { id: param } } })) : Promise.resolve(undefined)), [param, claim?.status]);
  if (!param) return <Alert type="info" message="请从案件列表中选择案件" />;
  if (!claim) return <Card loading={loading} />;
  const can = (action: string) => claim.actions.includes(action);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card title={<Space>案件 {claim.number}{statusTag(claim.status)}{claim.overdue && <Tag color="red">超期</Tag>}</Space>}>
        <Descriptions size="small" column={{ xs: 1, md: 2, lg: 3 }} items={[
          { label: '险种', children: productName(claim.product) }, { label: '事件', children: `${claim.event.name}（${claim.event.occurredOn}）` },
          { label: '申请人', children: claim.claimant.name }, { label: '身份证号', children: claim.claimant.idNumber }, { label: '电话', children: claim.claimant.phone },
          { label: '出险日', children: claim.incidentOn }, { label: '报案日', children: claim.reportedOn }, { label: '审批时限', children: claim.dueDates.decision ?? '—' },
          { label: '定损金额', children: claim.assessed ?? '—' }, { label: '已批准', children: claim.approved }, { label: '已支付', children: claim.paid },
          ...(Number(claim.advanceApproved) > 0 ? [{ label: '预付（已批准/已支付）', children: `${claim.advanceApproved} / ${claim.advancePaid}` }] : []),
          { label: '事故经过', children: claim.description, span: 3 },
        ]} />
        {claim.holdReasons?.length ? <Alert type="warning" showIcon message={`暂缓原因：${claim.holdReasons.join('；')}`} /> : null}
      </Card>
      {claim.documents.missing.length > 0 && <Card title="材料"><DocumentsNotice claim={claim} /></Card>}
      {actor.role === 'assessor' && can('survey') && <Survey claim={claim} onDone={reload} />}
      {actor.role === 'assessor' && can('assessment') && <Assess claim={claim} onDone={reload} />}
      {claim.assessment && <AssessmentView claim={claim} />}
      {actor.role === 'approver' && (can('approve') || can('return') || can('reject')) && <Decide claim={claim} onDone={reload} />}
      <ClaimActions actor={actor} claim={claim} onDone={reload} />
      {(actor.role === 'finance' || actor.role === 'admin') && <ClaimPayments actor={actor} claim={claim.id} version={`${claim.status}/${claim.paid}/${claim.advancePaid}`} onDone={reload} />}
      <Card title="处理记录">
        <Timeline items={(history.data?.items ?? []).map((h) => ({ children: `${h.at.replace('T', ' ').slice(0, 16)}　${h.actor?.name ?? ''}　${ACTION_ZH[h.action] ?? h.action}` }))} />
      </Card>
    </Space>
  );
}
const ACTION_ZH: Record<string, string> = { register: '报案受理', report: '报案受理', advance: '批准预付', advance_paid: '预付已支付', change_bank: '更正收款账户', payment_failed: '支付失败', payment_returned: '银行退回', recovery: '追偿', survey: '查勘', assess: '定损', approve: '批准', approve_first: '初审批准', approve_second: '复核批准', return: '退回', reject: '拒赔', hold: '暂缓', pay: '支付', close: '结案', withdraw: '撤案', reopen: '重新打开', settle: '事件结算' };

function Survey({ claim, onDone }: { claim: ClaimDetail; onDone: () => void }) {
  const [busy, run] = useAction();
  const submit = async (v: { findings: string; surveyedOn: Dayjs; documentsReceived: string[] }) => {
    if (await run(() => call(api.POST('/claims/{id}/survey', { params: { path: { id: claim.id } }, body: { findings: v.findings, surveyedOn: v.surveyedOn.format('YYYY-MM-DD'), documentsReceived: v.documentsReceived ?? [] } })))) onDone();
  };
  return (
    <Card title="查勘">
      <Form layout="vertical" onFinish={submit} initialValues={{ surveyedOn: dayjs(today()), documentsReceived: [] }}>
        <Form.Item label="查勘日期" name="surveyedOn" rules={[{ required: true }]}><DatePicker /></Form.Item>
        <Form.Item label="查勘结论" name="findings" rules={[{ required: true, message: '请填写查勘结论' }]}><Input.TextArea rows={2} /></Form.Item>
        <Form.Item label="收到的材料" name="documentsReceived"><Checkbox.Group options={claim.documents.missing} style={{ display: 'grid', gap: 4 }} /></Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>提交查勘</Button>
      </Form>
    </Card>
  );
}

interface InvoiceInput { number: string; amount: string }

function Assess({ claim, onDone }: { claim: ClaimDetail; onDone: () => void }) {
  const [busy, run] = useAction();
  const [form] = Form.useForm();
  const benefits = claim.benefits as typeof BENEFITS[number]['value'][];
  const submit = async (v: { invoices?: InvoiceInput[]; grade?: number; days?: number }) => {
    const items = benefits.map((type) => {
      if (type === 'MEDICAL') return { type, invoices: (v.invoices ?? []).map((i) => ({ number: i.number, amount: Number(i.amount).toFixed(2) })) };
      if (type === 'DISABILITY') return { type, grade: v.grade ?? 10 };
      if (type === 'RESETTLEMENT' || type === 'LIVING_AID') return { type, days: v.days ?? 1 };
      return { type };
    });
    if (await run(() => call(api.POST('/claims/{id}/assessment', { params: { path: { id: claim.id } }, body: { items: items as never } })))) onDone();
  };
  return (
    <Card title="定损">
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ invoices: [{}] }}>
        {benefits.includes('MEDICAL') && (
          <Form.List name="invoices">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} wrap>
                    <Form.Item name={[f.name, 'number']} rules={[{ required: true, message: '发票号' }]}><Input placeholder="医疗发票号" aria-label="发票号" /></Form.Item>
                    <Form.Item name={[f.name, 'amount']} rules={[{ required: true, pattern: /^\d{1,12}(\.\d{1,2})?$/, message: '金额，最多两位小数' }]}><Input placeholder="金额（元）" aria-label="发票金额" inputMode="decimal" /></Form.Item>
                    {fields.length > 1 && <Button onClick={() => remove(f.name)}>删除</Button>}
                  </Space>
                ))}
                <Button type="dashed" onClick={() => add({})} style={{ marginBottom: 12 }}>＋ 增加发票</Button>
              </>
            )}
          </Form.List>
        )}
        {benefits.includes('DISABILITY') && <Form.Item label="伤残等级（1-10）" name="grade" rules={[{ required: true }]}><InputNumber min={1} max={10} /></Form.Item>}
        {(benefits.includes('RESETTLEMENT') || benefits.includes('LIVING_AID')) && <Form.Item label="天数" name="days" rules={[{ required: true }]}><InputNumber min={1} max={3650} /></Form.Item>}
        <div><Button type="primary" htmlType="submit" loading={busy}>计算并提交定损</Button></div>
      </Form>
    </Card>
  );
}

function AssessmentView({ claim }: { claim: ClaimDetail }) {
  const a = claim.assessment!;
  return (
    <Card title={`定损结果：合计 ${a.total} 元`} extra={claim.needsSecondApproval ? <Tag color="purple">需两级审批</Tag> : null}>
      <Table size="small" rowKey="type" pagination={false} dataSource={a.items} columns={[
        { title: '项目', dataIndex: 'type', render: (t: string) => BENEFITS.find((b) => b.value === t)?.label ?? t, width: 100 },
        { title: '应付（元）', dataIndex: 'payable', align: 'right', width: 120 },
        { title: '计算说明', dataIndex: 'explanation', render: (e: string) => <span style={{ whiteSpace: 'pre-wrap' }}>{e}</span> },
      ]} />
      <div style={{ marginTop: 8, color: '#666' }}>定损人：{a.assessedBy}{a.approvals.length ? `；审批：${a.approvals.map((p) => p.approver).join('、')}` : ''}</div>
    </Card>
  );
}

function Decide({ claim, onDone }: { claim: ClaimDetail; onDone: () => void }) {
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const [decision, setDecision] = useState<'approve' | 'return' | 'reject'>('approve');
  const [reason, setReason] = useState('');
  const submit = async () => {
    const id = { params: { path: { id: claim.id } } };
    const reply = await run(() => call(decision === 'approve' ? api.POST('/claims/{id}/approve', id) : decision === 'return' ? api.POST('/claims/{id}/return', { ...id, body: { reason } }) : api.POST('/claims/{id}/reject', { ...id, body: { reason } })));
    if (reply) {
      message.success({ approve: '已批准', return: '已退回查勘定损员', reject: '已拒赔' }[decision]);
      onDone();
    }
  };
  return (
    <Card title="审批">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Radio.Group value={decision} onChange={(e) => setDecision(e.target.value)} optionType="button" buttonStyle="solid"
          options={[{ value: 'approve', label: '批准' }, { value: 'return', label: '退回补正' }, { value: 'reject', label: '拒赔' }]} />
        {decision !== 'approve' && <Input.TextArea rows={2} placeholder="原因（必填，申请人和查勘员会看到）" value={reason} onChange={(e) => setReason(e.target.value)} />}
        <Button type="primary" danger={decision === 'reject'} loading={busy} disabled={decision !== 'approve' && !reason.trim()} onClick={submit}>确认{decision === 'approve' ? '批准' : decision === 'return' ? '退回' : '拒赔'}</Button>
      </Space>
    </Card>
  );
}

interface Settlement { product: string; perEventLimit: string; approvedBefore: string; remainder: string; total: string; claims: { id: string; number: string; assessed: string; settled: string }[] }

/** Event settlement: claims held over a per-event limit share what is left of it, pro rata (finance). */
export function EventSettlement(_: ScreenProps) {
  const events = useEvents();
  const held = useLoad(() => call<Page<ClaimItem & { event: { id: string; name: string } }>>(api.GET('/claims', { params: { query: { status: 'HELD', limit: 500 } as never } })), []);
  const [busy, run] = useAction();
  const [result, setResult] = useState<{ event: string; settlements: Settlement[] } | null>(null);
  const heldBy = (id: string) => (held.data?.items ?? []).filter((c) => c.event?.id === id).length;
  const settle = async (event: Event) => {
    const reply = await run(() => call<{ settlements: Settlement[] }>(api.POST('/events/{id}/settle', { params: { path: { id: event.id } } })));
    if (reply) { setResult({ event: event.name, settlements: reply.settlements }); held.reload(); }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card title="事件结算（暂缓案件按比例分摊剩余限额）">
        <Table<Event> size="small" rowKey="id" loading={events.loading} dataSource={events.data?.items ?? []} pagination={{ pageSize: 20 }} columns={[
          { title: '事件', dataIndex: 'name' }, { title: '发生日期', dataIndex: 'occurredOn' }, { title: '区（市）', dataIndex: 'district' },
          { title: '暂缓案件', render: (_, e) => heldBy(e.id) },
          { title: '', render: (_, e) => <Button size="small" type="primary" disabled={!heldBy(e.id)} loading={busy} onClick={() => settle(e)}>结算</Button> },
        ]} />
      </Card>
      {result && result.settlements.map((s) => (
        <Card key={s.product} title={`${result.event}：${productName(s.product)}，每事件限额 ${s.perEventLimit}，已批准 ${s.approvedBefore}，剩余 ${s.remainder}`}>
          <Table size="small" rowKey="id" pagination={false} dataSource={s.claims} columns={[{ title: '案件号', dataIndex: 'number' }, { title: '定损', dataIndex: 'assessed', align: 'right' }, { title: '结算金额', dataIndex: 'settled', align: 'right' }]} />
        </Card>
      ))}
    </Space>
  );
}
