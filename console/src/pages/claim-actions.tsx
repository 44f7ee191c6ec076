import { Alert, App, Button, Card, DatePicker, Descriptions, Form, Input, Modal, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { today, type Actor, type Role } from '../domain';
import { useAction } from '../hooks';

type S<K extends keyof components['schemas']> = components['schemas'][K];
type Claim = S<'Claim'>;
interface ClaimLike { id: string; number: string; product: string; status: string; actions: string[]; advanceApproved?: string; advancePaid?: string; remaining: string }

/** Before the final approval an approved advance is still paid as an advance (the service's ADVANCE_PAYABLE_STATUSES). */
const ADVANCE_STATUSES = ['REPORTED', 'SURVEYED', 'ASSESSED', 'PENDING_SECOND_APPROVAL', 'HELD', 'RETURNED'];
const ADVANCE_PRODUCTS = ['BRAVE_DEED', 'CRIMINAL_INJURY'];
const MONEY = /^\d{1,12}(\.\d{1,2})?$/;

type Kind = 'advance' | 'pay' | 'close' | 'reopen' | 'withdraw' | 'bank' | 'reveal';
interface ActionDef { label: string; roles: Role[]; danger?: boolean; applies: (c: ClaimLike) => boolean }

const unpaidAdvance = (c: ClaimLike) => Number(c.advanceApproved ?? 0) > Number(c.advancePaid ?? 0);
/** Each action with exactly the roles the API lets through, and the claim states where it applies. */
const ACTIONS: Record<Kind, ActionDef> = {
  advance: { label: '批准预付', roles: ['approver', 'finance'], applies: (c) => ADVANCE_PRODUCTS.includes(c.product) && ADVANCE_STATUSES.includes(c.status) },
  pay: { label: '单笔支付登记', roles: ['finance'], applies: (c) => c.actions.includes('pay') || (ADVANCE_STATUSES.includes(c.status) && unpaidAdvance(c)) },
  close: { label: '结案', roles: ['finance'], applies: (c) => c.actions.includes('close') },
  reopen: { label: '重新打开', roles: ['assessor', 'approver'], applies: (c) => c.actions.includes('reopen') },
  withdraw: { label: '撤案', roles: ['assessor', 'approver'], danger: true, applies: (c) => c.actions.includes('withdraw') },
  bank: { label: '更正收款账户', roles: ['assessor', 'finance'], applies: (c) => !['WITHDRAWN', 'REJECTED', 'CLOSED'].includes(c.status) },
  reveal: { label: '查看完整证件号与账号', roles: ['assessor'], applies: () => true },
};

export function claimActionsFor(actor: Actor, claim: ClaimLike): Kind[] {
  return (Object.keys(ACTIONS) as Kind[]).filter((k) => ACTIONS[k].roles.includes(actor.role) && ACTIONS[k].applies(claim));
}

/** The claim's other actions (advance, direct payment, close, reopen, withdraw, bank details, reveal), each in a dialog that says what it does. */
export function ClaimActions({ actor, claim, onDone }: { actor: Actor; claim: ClaimLike; onDone: () => void }) {
  const kinds = claimActionsFor(actor, claim);
  const [doing, setDoing] = useState<Kind | null>(null);
  if (!kinds.length) return null;
  return (
    <Card title="案件操作">
      <Space wrap>{kinds.map((k) => <Button key={k} danger={ACTIONS[k].danger} onClick={() => setDoing(k)}>{ACTIONS[k].label}</Button>)}</Space>
      {doing && <ActionDialog kind={doing} claim={claim} onClose={(done) => { setDoing(null); if (done) onDone(); }} />}
    </Card>
  );
}

interface Values { amount?: string; note?: string; paidOn?: Dayjs; reference?: string; reason?: string; accountName?: string; accountNumber?: string; bankName?: string }

function ActionDialog({ kind, claim, onClose }: { kind: Kind; claim: ClaimLike; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm<Values>();
  const [busy, run] = useAction();
  const { message } = App.useApp();
  const [revealed, setRevealed] = useState<S<'PostClaimsByIdRevealReply'> | null>(null);
  const path = { params: { path: { id: claim.id } } };
  const submit = async () => {
    const v = await form.validateFields();
    const reason = v.reason?.trim() ?? '';
    switch (kind) {
      case 'advance': {
        const r = await run(() => call<S<'PostClaimsByIdAdvanceReply'>>(api.POST('/claims/{id}/advance', { ...path, body: { amount: v.amount!, ...(v.note?.trim() ? { note: v.note.trim() } : {}) } })));
        if (r) { message.success(`已批准预付，累计批准 ${r.advanceApproved} 元，未付 ${r.advanceUnpaid} 元（上限 ${r.advanceMax} 元）`); onClose(true); }
        return;
      }
      case 'pay': {
        const r = await run(() => call<Claim>(api.POST('/claims/{id}/pay', { ...path, body: { paidOn: v.paidOn!.format('YYYY-MM-DD'), reference: v.reference!.trim() } })));
        if (r) { message.success(`已登记支付，案件已付 ${r.paid} 元`); onClose(true); }
        return;
      }
      case 'close': {
        if (await run(() => call<Claim>(api.POST('/claims/{id}/close', path)))) { message.success('已结案'); onClose(true); }
        return;
      }
      case 'reopen': {
        if (await run(() => call<Claim>(api.POST('/claims/{id}/reopen', { ...path, body: { reason } })))) { message.success('案件已重新打开，待重新定损'); onClose(true); }
        return;
      }
      case 'withdraw': {
        if (await run(() => call<Claim>(api.POST('/claims/{id}/withdraw', { ...path, body: reason ? { reason } : {} })))) { message.success('已撤案'); onClose(true); }
        return;
      }
      case 'bank': {
        const body = { accountName: v.accountName!.trim(), accountNumber: v.accountNumber!.replace(/\s/g, ''), bankName: v.bankName!.trim(), ...(reason ? { reason } : {}) };
        if (await run(() => call<Claim>(api.PUT('/claims/{id}/bank', { ...path, body })))) { message.success('收款账户已更正'); onClose(true); }
        return;
      }
      case 'reveal': {
        // Shown in this dialog only; nothing is kept in the browser once it closes.
        const r = await run(() => call<S<'PostClaimsByIdRevealReply'>>(api.POST('/claims/{id}/reveal', { ...path, body: { reason } })));
        if (r) setRevealed(r);
        return;
      }
    }
  };
  const def = ACTIONS[kind];
  const reasonField = (label: string, required: boolean) => (
    <Form.Item label={label} name="reason" rules={[{ required, whitespace: true, message: `请填写${label}` }, { max: 500, message: '最多 500 字' }]}><Input.TextArea rows={2} aria-label={label} /></Form.Item>
  );
  if (revealed) {
    return (
      <Modal open title={`案件 ${claim.number} 的完整信息`} onCancel={() => onClose(false)} footer={<Button onClick={() => onClose(false)}>关闭</Button>}>
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} message="本次查看已记录。请勿抄录或转发；关闭后不再显示。" />
        <Descriptions size="small" column={1} items={[{ label: '身份证号', children: revealed.idNumber }, { label: '银行账号', children: revealed.bankAccount ?? '—' }]} />
      </Modal>
    );
  }
  return (
    <Modal open title={`${def.label}：案件 ${claim.number}`} onOk={submit} onCancel={() => onClose(false)} okText={kind === 'reveal' ? '查看' : `确认${def.label}`} cancelText="取消" confirmLoading={busy} okButtonProps={{ danger: def.danger }}>
      <Form form={form} layout="vertical" initialValues={{ paidOn: dayjs(today()) }}>
        {kind === 'advance' && (
          <>
            <p>见义勇为、重大恶性案件伤害案件可在定损前预付，累计不超过 10,000 元；批准后由支付批次或单笔支付付出。</p>
            <Form.Item label="预付金额（元）" name="amount" rules={[{ required: true, pattern: MONEY, message: '金额，最多两位小数' }]}><Input aria-label="预付金额" inputMode="decimal" /></Form.Item>
            <Form.Item label="说明" name="note"><Input aria-label="预付说明" /></Form.Item>
          </>
        )}
        {kind === 'pay' && (
          <>
            <p>登记一笔不经支付批次的付款（{ADVANCE_STATUSES.includes(claim.status) ? '已批准未付的预付款' : `应付余额 ${claim.remaining} 元`}）。登记后不能撤销。</p>
            <Form.Item label="支付日期" name="paidOn" rules={[{ required: true }]}><DatePicker /></Form.Item>
            <Form.Item label="银行流水号" name="reference" rules={[{ required: true, whitespace: true, message: '请填写流水号' }]}><Input aria-label="支付流水号" /></Form.Item>
          </>
        )}
        {kind === 'close' && <p>结案后不能再支付；如需补充赔付须重新打开案件。确认结案？</p>}
        {kind === 'reopen' && (<><p>重新打开后案件回到“已查勘”，重新定损只支付差额。</p>{reasonField('重新打开原因', true)}</>)}
        {kind === 'withdraw' && (<><p>申请人撤回申请。撤案后案件不能再处理，此操作不能撤销。</p>{reasonField('撤案说明', false)}</>)}
        {kind === 'bank' && (
          <>
            <p>支付批次中待回单的案件不能更正账户；更正记入处理记录（账号打码）。</p>
            <Form.Item label="收款户名" name="accountName" rules={[{ required: true, whitespace: true, message: '请填写户名' }]}><Input aria-label="新收款户名" /></Form.Item>
            <Form.Item label="银行账号" name="accountNumber" rules={[{ required: true, pattern: /^[\d\s]{8,40}$/, message: '8 至 32 位数字' }]}><Input aria-label="新银行账号" inputMode="numeric" /></Form.Item>
            <Form.Item label="开户行" name="bankName" rules={[{ required: true, whitespace: true, message: '请填写开户行' }]}><Input aria-label="新开户行" /></Form.Item>
            {reasonField('更正原因', false)}
          </>
        )}
        {kind === 'reveal' && (<><p>完整身份证号和银行账号只在确有需要时查看；每次查看连同原因都会记录，管理员可查。</p>{reasonField('查看原因', true)}</>)}
      </Form>
    </Modal>
  );
}
