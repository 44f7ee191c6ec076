import { Alert, App, Button, Card, Input, Modal, Radio, Space, Table, Tag, Upload } from 'antd';
import { useState } from 'react';
import { api, ApiError, call } from '../api/client';
import { reasonZh } from '../api/problems';
import { useAction, useLoad } from '../hooks';
import type { ScreenProps } from '../Shell';

const KINDS = [
  { value: '/imports/catalog', label: '物资目录' }, { value: '/imports/warehouses', label: '仓库' },
  { value: '/imports/opening-stock', label: '期初库存' }, { value: '/imports/quotas', label: '储备定额' }, { value: '/imports/kits', label: '物资包' },
] as const;
type ImportPath = (typeof KINDS)[number]['value'];
export interface Problem { line?: number; field?: string; value?: unknown; reason?: string }

/** Every problem of an uploaded CSV file, by row: what the clerk fixes before sending it again. */
export function ProblemTable({ problems }: { problems: Problem[] }) {
  return (
    <Table<Problem> size="small" rowKey={(_, i) => String(i)} dataSource={problems} pagination={{ pageSize: 50 }} columns={[
      { title: '行号', dataIndex: 'line', width: 80 }, { title: '字段', dataIndex: 'field', width: 140 },
      { title: '内容', dataIndex: 'value', render: (v) => (v === undefined || v === null ? '' : String(v)) }, { title: '问题', dataIndex: 'reason', render: (r?: string) => (r ? <span title={r}>{reasonZh(r)}</span> : '') },
    ]} />
  );
}

/** CSV imports: try first (nothing written), see every problem by row, then import for real. */
export function Imports(_: ScreenProps) {
  const [path, setPath] = useState<ImportPath>('/imports/catalog');
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<Record<string, unknown> | null>(null);
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [busy, setBusy] = useState(false);
  const { message } = App.useApp();
  const send = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setResult(null);
    setProblems(null);
    try {
      // The file goes as its own bytes (UTF-8 or GB18030), which the service detects.
      const reply = await call<Record<string, unknown>>(api.POST(path, { params: { query: { dryRun: dryRun ? 'true' : 'false' } }, body: '', bodySerializer: () => file, headers: { 'content-type': 'text/csv' } }));
      setResult(reply);
      message.success(dryRun ? '试导入通过，未写入任何数据' : '导入完成');
    } catch (error) {
      if (error instanceof ApiError && error.details.length) setProblems(error.details as Problem[]);
      else message.error(error instanceof ApiError ? error.text : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="数据导入（CSV）">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Radio.Group value={path} onChange={(e) => setPath(e.target.value)} options={KINDS.map((k) => ({ value: k.value, label: k.label }))} optionType="button" />
        <Upload beforeUpload={(f) => { setFile(f); return false; }} maxCount={1} accept=".csv,text/csv" onRemove={() => setFile(null)}>
          <Button>选择 CSV 文件</Button>
        </Upload>
        <Space>
          <Button onClick={() => send(true)} disabled={!file} loading={busy}>试导入（只检查，不写入）</Button>
          <Button type="primary" onClick={() => send(false)} disabled={!file} loading={busy}>正式导入</Button>
        </Space>
        {result && <Alert type="success" showIcon message={`共 ${result.rows ?? '—'} 行：新增 ${result.inserted ?? 0}，更新 ${result.updated ?? 0}，未变 ${result.unchanged ?? 0}${result.dryRun ? '（试导入，未写入）' : ''}`} />}
        {problems && (
          <>
            <Alert type="error" showIcon message={`文件有 ${problems.length} 处问题，未写入任何数据。请按下表逐行修改后重新导入。`} />
            <ProblemTable problems={problems} />
          </>
        )}
      </Space>
    </Card>
  );
}

interface Period { period: string; status: 'OPEN' | 'CLOSED'; closedAt: string | null; closedBy: string | null }

/** Accounting months: close a finished month; reopen the latest closed one with a reason (admins). */
export function Periods({ actor }: ScreenProps) {
  const { data, loading, reload } = useLoad(() => call<{ items: Period[]; closedThrough: string | null; firstOpenDate: string }>(api.GET('/periods')), []);
  const [busy, run] = useAction();
  const [reopening, setReopening] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const close = async (period: string) => {
    if (await run(() => call(api.POST('/periods/{period}/close', { params: { path: { period } } })))) reload();
  };
  const reopen = async () => {
    if (await run(() => call(api.POST('/periods/{period}/reopen', { params: { path: { period: reopening! } }, body: { reason } })))) {
      setReopening(null);
      setReason('');
      reload();
    }
  };
  return (
    <Card title="会计期间" extra={data && <span>已结账至 {data.closedThrough ?? '—'}，可记账起始日 {data.firstOpenDate}</span>}>
      <Table<Period> size="small" rowKey="period" loading={loading} dataSource={[...(data?.items ?? [])].reverse()} pagination={{ pageSize: 12 }} columns={[
        { title: '期间', dataIndex: 'period' },
        { title: '状态', dataIndex: 'status', render: (s: string) => (s === 'CLOSED' ? <Tag>已结账</Tag> : <Tag color="green">未结账</Tag>) },
        { title: '结账时间', dataIndex: 'closedAt', render: (t: string | null) => t?.replace('T', ' ').slice(0, 16) ?? '—' },
        { title: '结账人', dataIndex: 'closedBy', render: (v) => v ?? '—' },
        { title: '', render: (_, p) => (p.status === 'OPEN'
          ? <Button size="small" loading={busy} onClick={() => close(p.period)}>结账</Button>
          : actor.role === 'admin' ? <Button size="small" danger onClick={() => setReopening(p.period)}>反结账</Button> : null) },
      ]} />
      <Modal open={!!reopening} title={`反结账 ${reopening ?? ''}`} onOk={reopen} onCancel={() => setReopening(null)} okText="反结账" cancelText="取消" okButtonProps={{ disabled: !reason.trim(), danger: true }} confirmLoading={busy}>
        <p>只能反结账最近一个已结账的月份；该月冻结的余额将作废。</p>
        <Input.TextArea rows={2} placeholder="原因（必填）" value={reason} onChange={(e) => setReason(e.target.value)} />
      </Modal>
    </Card>
  );
}
