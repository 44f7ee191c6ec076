import { Alert, App, Button, Card, Descriptions, Input, Space, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, ApiError, call } from '../api/client';
import type { components } from '../api/schema';
import { useAction } from '../hooks';
import type { ScreenProps } from '../Shell';

type S<K extends keyof components['schemas']> = components['schemas'][K];
type Backup = S<'GetBackupsReply'>['items'][number];
const size = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);
const NOT_CONFIGURED = '服务未配置备份目录（BACKUP_DIR），备份功能未开启。请联系运维在服务配置中设置备份目录后重启服务。';

/** 数据备份: the complete backups in BACKUP_DIR, and a backup now. */
export function Backups(_: ScreenProps) {
  const [items, setItems] = useState<Backup[] | null>(null);
  const [off, setOff] = useState(false);
  const [busy, setBusy] = useState(false);
  const { message, modal } = App.useApp();
  const guarded = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'BACKUP_NOT_CONFIGURED') setOff(true);
      else if (error instanceof ApiError && error.code === 'BACKUP_IN_PROGRESS') message.warning('已有一次备份正在进行，请稍后刷新');
      else message.error(error instanceof ApiError ? error.text : String(error));
    } finally {
      setBusy(false);
    }
  };
  const load = () => guarded(async () => setItems((await call<S<'GetBackupsReply'>>(api.GET('/backups'))).items));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void load(); }, []);
  const backup = () => modal.confirm({
    title: '立即备份', content: '备份整个数据库到服务的备份目录，数据量大时需要几分钟；备份期间业务照常。', okText: '开始备份', cancelText: '取消',
    onOk: () => guarded(async () => {
      const reply = await call<S<'PostBackupsReply'>>(api.POST('/backups', { body: {} }));
      message.success(`备份完成：${reply.file}（${size(reply.bytes)}）`);
      await load();
    }),
  });
  return (
    <Card title="数据备份" extra={<Space><Button onClick={load} loading={busy}>刷新</Button><Button type="primary" onClick={backup} disabled={off} loading={busy}>立即备份</Button></Space>}>
      {off ? <Alert type="warning" showIcon message="备份未开启" description={NOT_CONFIGURED} /> : (
        <Table<Backup> size="small" rowKey="file" loading={busy && !items} dataSource={items ?? []} pagination={{ pageSize: 20 }} scroll={{ x: 900 }} columns={[
          { title: '文件', dataIndex: 'file' }, { title: '快照时间', dataIndex: 'snapshotAt', render: (t: string) => t.replace('T', ' ').slice(0, 19) },
          { title: '大小', dataIndex: 'bytes', align: 'right', render: size }, { title: '数据行数', dataIndex: 'rows', align: 'right' },
          { title: '迁移版本数', dataIndex: 'migrations', align: 'right' }, { title: 'SHA-256', dataIndex: 'sha256', render: (h: string) => <Typography.Text copyable={{ text: h }} style={{ fontFamily: 'monospace' }}>{h.slice(0, 16)}…</Typography.Text> },
        ]} />
      )}
    </Card>
  );
}

type Check = S<'GetLedgerCheckReply'>;
type Verify = S<'PostLedgerVerifyReply'>;
const DIGEST_PROBLEM_ZH: Record<string, string> = {
  BAD_SIGNATURE: '签名无效', OTHER_KEY: '由其他密钥签发', HEADS_ALTERED: '链头被改动', LOG_SHORTER: '日志比摘要短（有记录被删除）',
  MOVEMENT_CHANGED: '记录被修改', MOVEMENT_MISSING: '记录缺失', LOG_ALTERED: '日志被改动', HEAD_CHANGED: '链头不一致',
};

/** 台帐核验: projection against ledger, every hash chain recomputed, a signed digest to keep, and an earlier digest checked against today's ledger. */
export function LedgerAudit(_: ScreenProps) {
  const [busy, run] = useAction();
  const [check, setCheck] = useState<Check | null>(null);
  const [verify, setVerify] = useState<Verify | null>(null);
  const [digest, setDigest] = useState<string | null>(null);
  const [saved, setSaved] = useState('');
  const [parseError, setParseError] = useState<string | null>(null);
  const runCheck = async () => { const r = await run(() => call<Check>(api.GET('/ledger/check'))); if (r) setCheck(r); };
  const runVerify = async () => { const r = await run(() => call<Verify>(api.GET('/ledger/verify'))); if (r) setVerify(r); };
  const getDigest = async () => { const r = await run(() => call<S<'LedgerDigest'>>(api.GET('/ledger/digest'))); if (r) setDigest(JSON.stringify(r, null, 2)); };
  const verifyDigest = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(saved);
    } catch {
      setParseError('粘贴的内容不是完整的摘要（JSON 格式），请从保存的文件中完整复制');
      return;
    }
    setParseError(null);
    const r = await run(() => call<Verify>(api.POST('/ledger/verify', { body: { digest: parsed } })));
    if (r) setVerify(r);
  };
  const result = (ok: boolean, good: string, bad: string) => <Alert type={ok ? 'success' : 'error'} showIcon message={ok ? good : bad} style={{ marginBottom: 8 }} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card title="余额与台帐核对" extra={<Button onClick={runCheck} loading={busy}>开始核对</Button>}>
        <p style={{ color: '#666' }}>逐项比较库存余额、预留数和各已结账月份的冻结余额与台帐记录是否一致。</p>
        {check && result(check.ok, '一致：余额与台帐相符', `发现 ${check.discrepancies.length} 处不一致`)}
        {check && !check.ok && (
          <Table size="small" rowKey={(_, i) => String(i)} pagination={{ pageSize: 20 }} dataSource={check.discrepancies} scroll={{ x: 800 }} columns={[
            { title: '类型', dataIndex: 'kind' }, { title: '仓库', dataIndex: 'warehouse', render: (v) => v ?? '—' }, { title: '物资', dataIndex: 'category', render: (v) => v ?? '—' },
            { title: '批号', dataIndex: 'lot', render: (v) => v ?? '—' }, { title: '台帐', dataIndex: 'ledger', render: (v) => JSON.stringify(v) }, { title: '余额表', dataIndex: 'projection', render: (v) => JSON.stringify(v) },
          ]} />
        )}
      </Card>
      <Card title="哈希链校验" extra={<Button onClick={runVerify} loading={busy}>重新计算全部哈希链</Button>}>
        <p style={{ color: '#666' }}>重新计算每条记录的哈希，发现被改动、删除的台帐记录。</p>
        {verify && result(verify.ok, `完整：${verify.chains} 条链、${verify.movements} 笔记录均未被改动`, `发现 ${verify.problems.length} 处问题`)}
        {verify && verify.problems.length > 0 && (
          <Table size="small" rowKey={(_, i) => String(i)} pagination={{ pageSize: 20 }} dataSource={verify.problems} columns={[
            { title: '物资', dataIndex: 'category' }, { title: '序号', dataIndex: 'sequence', render: (v) => v ?? '—' },
            { title: '问题', dataIndex: 'kind', render: (k: string) => ({ ROW_ALTERED: '记录被改动', HEAD_MISMATCH: '链头不一致' })[k] ?? k }, { title: '说明', dataIndex: 'message' },
          ]} />
        )}
        {verify?.digest && (
          <>
            {result(verify.digest.ok, `与保存的摘要一致：摘要时 ${verify.digest.digest.size} 笔（${verify.digest.digest.issuedAt.replace('T', ' ').slice(0, 19)}），今天 ${verify.digest.current.size} 笔，一致性证明已验证`, `与保存的摘要不一致：${verify.digest.firstDifference ? `${DIGEST_PROBLEM_ZH[verify.digest.firstDifference.kind] ?? verify.digest.firstDifference.kind}（${verify.digest.firstDifference.message}）` : ''}`)}
            {verify.digest.problems.length > 0 && (
              <Table size="small" rowKey={(_, i) => String(i)} pagination={false} dataSource={verify.digest.problems} columns={[
                { title: '问题', dataIndex: 'kind', render: (k: string) => DIGEST_PROBLEM_ZH[k] ?? k }, { title: '位置', dataIndex: 'position', render: (v) => v ?? '—' },
                { title: '单据', render: (_, p) => p.movement?.document ?? '—' }, { title: '说明', dataIndex: 'message' },
              ]} />
            )}
          </>
        )}
      </Card>
      <Card title="签名摘要" extra={<Button onClick={getDigest} loading={busy}>生成当前摘要</Button>}>
        <p style={{ color: '#666' }}>摘要由数据库之外的密钥签名。请复制保存到其他地方（如打印或存入档案）；日后粘贴回来，可证明此后的台帐只是追加、没有被改写。</p>
        {digest && (
          <Descriptions size="small" column={1} items={[{ label: '当前摘要', children: (
            <Typography.Paragraph copyable={{ text: digest, tooltips: ['复制', '已复制'] }} style={{ marginBottom: 0 }}>
              <pre style={{ maxHeight: 200, overflow: 'auto', fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all', margin: 0 }}>{digest}</pre>
            </Typography.Paragraph>
          ) }]} />
        )}
        <Space direction="vertical" style={{ width: '100%', marginTop: 12 }}>
          <Input.TextArea rows={4} placeholder="粘贴以前保存的摘要（JSON）" aria-label="保存的摘要" value={saved} onChange={(e) => setSaved(e.target.value)} status={parseError ? 'error' : undefined} />
          {parseError && <span style={{ color: '#cf1322' }}>{parseError}</span>}
          <Button type="primary" disabled={!saved.trim()} loading={busy} onClick={verifyDigest}>用保存的摘要校验今天的台帐</Button>
        </Space>
      </Card>
    </Space>
  );
}
