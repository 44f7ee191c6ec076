// Proves the console works in a real browser (Debian's Chromium through playwright-core) against the real service: one complete flow per role — a keeper receives and transfers stock and another keeper receives it, a dispatcher allocates a kit, an assessor registers and assesses a claim, an approver approves it, finance pays it in a batch and downloads a report; then the screens added later: finance cancels a batch, pays on the claim page and records and collects a recovery; a keeper reverses a receipt from the 台帐; a dispatcher records a delivery; an admin issues a token, sets a quota, sees backups refused as not configured and checks the ledger against a saved digest. Screenshots of each main screen at 1366×768 go to out/screens/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { catalogCsv, warehousesCsv } from '../support/csv.js';
import { approve, createEvent, INCIDENT_ON, registerAndAssess, residentId, staff, TODAY } from '../http/claims.fixtures.js';

const CHROMIUM = process.env.RELIEF_CHROMIUM ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present) {
  process.stdout.write(`\n  SKIPPED: the browser tests of the console (no Chromium at ${CHROMIUM}; install it with: apt-get install -y chromium fonts-noto-cjk)\n\n`);
}
const SCREENS = 'out/screens';
const PASSWORD = 'mima-2026-test';
const FLOW_TIMEOUT = 180_000;

/** Runs in every page before its scripts: keeps the text of every message (toast) shown, for `toast`. */
const RECORD_MESSAGES = () => {
  const shown: string[] = [];
  const seen = new WeakSet<Element>();
  (window as unknown as { __messages: string[] }).__messages = shown;
  new MutationObserver(() => {
    for (const notice of document.querySelectorAll('.ant-message-notice')) {
      const text = notice.textContent ?? '';
      if (!seen.has(notice) && text.trim() !== '') {
        seen.add(notice);
        shown.push(text);
      }
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
};

let app: TestApp;
let browser: Browser;

/** The build is missing, or older than a source file of the console (a merge or an edit since the last `npm install`). */
function consoleBuildIsStale(): boolean {
  const built = 'console/dist/index.html';
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return newer(path);
      return entry.name !== 'schema.d.ts' && statSync(path).mtimeMs > builtAt;
    });
  return newer('console/src') || ['console/index.html', 'console/vite.config.ts'].some((file) => statSync(file).mtimeMs > builtAt);
}

describe.skipIf(!present)('console in a browser', () => {
  beforeAll(async () => {
    if (consoleBuildIsStale()) execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-console.ts'], { stdio: 'inherit' });
    mkdirSync(SCREENS, { recursive: true });
    app = await startTestApp();
    expect((await app.request('POST', '/imports/warehouses', { raw: warehousesCsv() })).status).toBe(200);
    expect((await app.request('POST', '/imports/catalog', { raw: catalogCsv(4) })).status).toBe(200);
    const people: [string, string, string[]?][] = [
      ['保管员市南', 'keeper', ['WH-SN-01']], ['保管员市级', 'keeper', ['WH-CITY-01']], ['调度员', 'dispatcher'],
      ['查勘员', 'assessor'], ['审批人', 'approver'], ['财务', 'finance'],
    ];
    for (const [name, role, warehouses] of people) {
      await app.user(name, role, warehouses);
      expect((await app.request('PUT', `/users/${encodeURIComponent(name)}/password`, { body: { password: PASSWORD } })).status).toBe(200);
    }
    expect((await app.request('POST', '/kits', { body: { code: 'TENT-KIT', name: '安置帐篷包(每10人)', per: 10, lines: [{ category: 'T-00001', quantity: '2' }] } })).status).toBe(201);
    expect((await app.request('POST', '/receipts', { body: { warehouse: 'WH-CITY-01', source: { kind: 'PROCUREMENT', name: '期初' }, lines: [{ category: 'T-00001', quantity: '100' }] } })).status).toBe(201);
    expect((await app.request('PUT', '/users/admin/password', { body: { password: PASSWORD } })).status).toBe(200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, FLOW_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function signIn(name: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', acceptDownloads: true });
    await context.addInitScript(RECORD_MESSAGES);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(app.base + '/');
    await page.getByLabel('用户名').fill(name);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await visible(page.getByRole('button', { name: /退\s*出/ }));
    expect(errors).toEqual([]);
    return page;
  }

  /** A screenshot once dialogs and dropdowns have finished opening or closing (Ant Design animates them). */
  const shot = async (page: Page, name: string) => {
    await page.waitForFunction(() => !document.querySelector('[class*="-appear-active"], [class*="-enter-active"], [class*="-leave-active"]'), undefined, { timeout: 5_000 }).catch(() => undefined);
    await page.screenshot({ path: `${SCREENS}/${name}.png` });
  };
  const go = (page: Page, hash: string) => page.goto(`${app.base}/#/${hash}`);
  /** Picks an option of an Ant Design Select found by its label, typing to search. */
  async function choose(page: Page, label: string, text: string, nth = 0) {
    await page.getByLabel(label).nth(nth).click();
    await page.keyboard.type(text);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: text }).first().click();
  }
  /** A wait that failed: the page as it was is kept as out/screens/failure-N.png, then the error goes on. */
  let failures = 0;
  const failed = (page: Page) => async (error: Error): Promise<never> => {
    await page.screenshot({ path: `${SCREENS}/failure-${++failures}.png` });
    throw error;
  };
  /** Waits until the locator's first match is shown (vitest's expect has no browser matchers). */
  const visible = (locator: Locator, timeout = 30_000) =>
    locator.first().waitFor({ state: 'visible', timeout }).catch(failed(locator.page()));
  /**
   * Waits for a message (toast) with this text, shown at any time since the last one matched: a message
   * shows for three seconds, which a loaded machine can let pass before the test looks. Each message
   * counts once.
   */
  const toast = async (page: Page, text: string | RegExp) => {
    const pattern = typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text;
    await page
      .waitForFunction(([source, flags]) => {
        const shown = (window as unknown as { __messages?: string[] }).__messages ?? [];
        const at = shown.findIndex((message) => new RegExp(source!, flags).test(message));
        if (at >= 0) shown.splice(at, 1);
        return at >= 0;
      }, [pattern.source, pattern.flags], { timeout: 30_000, polling: 100 })
      .catch(failed(page));
  };

  it('signs in with name and password and refuses a wrong one; the page is Chinese', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.addInitScript(RECORD_MESSAGES);
    const page = await context.newPage();
    await page.goto(app.base + '/');
    await shot(page, 'sign-in');
    await page.getByLabel('用户名').fill('财务');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await toast(page, /用户名或密码错误/);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'rl_session')).toBeUndefined();
    await context.close();
  }, FLOW_TIMEOUT);

  it('keeper: receives stock with the quantity checked against the unit, sends a transfer; the other keeper receives it', async () => {
    const page = await signIn('保管员市南');
    await shot(page, 'keeper-balances');
    await go(page, 'receipt');
    await page.getByLabel('供应商/捐赠方').fill('青岛某帐篷厂');
    await choose(page, '物资', '帐篷 1型');
    await page.getByLabel('数量').fill('2.5');
    await visible(page.getByText('该物资按整数计量，不能有小数'));
    await page.getByLabel('数量').fill('40');
    await shot(page, 'keeper-receipt');
    await page.getByRole('button', { name: /记\s*账/ }).click();
    await toast(page, /入库单已记账/);
    const balance = await app.request('GET', '/balances?warehouse=WH-SN-01&category=T-00001');
    expect(balance.body.items[0].onHand).toBe('40');

    await go(page, 'transfers');
    await page.getByRole('tab', { name: '新建调拨' }).click();
    await page.getByLabel('调入仓库').fill('WH-CITY-01');
    await choose(page, '物资', '帐篷 1型');
    // More than the 40 on hand: refused in Chinese, by what the refusal means, and nothing leaves.
    await page.getByLabel('数量').fill('100');
    await page.getByRole('button', { name: /发出调拨/ }).click();
    await toast(page, /^库存不足：/);
    await shot(page, 'keeper-transfer-refused');
    expect((await app.request('GET', '/balances?warehouse=WH-SN-01&category=T-00001')).body.items[0].onHand).toBe('40');
    await page.getByLabel('数量').fill('15');
    await shot(page, 'keeper-transfer');
    await page.getByRole('button', { name: /发出调拨/ }).click();
    await toast(page, /已发出/);
    await page.context().close();

    const receiver = await signIn('保管员市级');
    await go(receiver, 'transfers');
    await receiver.getByRole('button', { name: /接\s*收/ }).first().click();
    await visible(receiver.getByLabel('实收数量'));
    expect(await receiver.getByLabel('实收数量').inputValue()).toBe('15');
    await shot(receiver, 'keeper-receive-transfer');
    await receiver.getByRole('button', { name: /确认接收/ }).click();
    await toast(receiver, /已接收入账/);
    const city = await app.request('GET', '/balances?warehouse=WH-CITY-01&category=T-00001');
    expect(city.body.items[0].onHand).toBe('115');
    await go(receiver, 'alerts');
    await shot(receiver, 'keeper-alerts');
    await receiver.context().close();
  }, FLOW_TIMEOUT);

  it('dispatcher: allocates a kit for 800 people, sees the plan (warehouse, distance, shortfall) before reserving, then reserves it', async () => {
    const page = await signIn('调度员');
    await go(page, 'allocate');
    await choose(page, '物资包', '安置帐篷包');
    await page.getByLabel('受助人数').fill('800');
    await page.getByLabel('目的地').fill('市南区第一安置点');
    await page.getByLabel('区（市）').fill('市南区');
    await page.getByLabel('纬度').fill('36.066900');
    await page.getByLabel('经度').fill('120.382600');
    await visible(page.getByText('需求测算：800 人需 80 份'));
    await page.getByRole('button', { name: /生成调拨方案/ }).click();
    // 160 tents: the 25 left in 市南 (0.0 km) first, then the city store's 115 (11.2 km); 20 short.
    const preview = page.locator('.ant-card').filter({ hasText: '调拨方案（尚未预留）' });
    await visible(preview.getByText('11.2 km').first());
    await visible(preview.locator('b').getByText('20'));
    await visible(preview.getByRole('button', { name: /确认预留/ }));
    expect((await app.request('GET', '/allocations')).body.total).toBe(0);
    await shot(page, 'dispatcher-preview');
    await preview.getByRole('button', { name: /确认预留/ }).click();
    await toast(page, /调拨单 \S+ 已创建/);
    await visible(page.locator('.ant-card').filter({ hasText: '出库仓库' }).getByText('已预留'));
    await shot(page, 'dispatcher-plan');
    const orders = await app.request('GET', '/allocations?status=RESERVED');
    expect(orders.body.total).toBe(1);
    const order = await app.request('GET', `/allocations/${orders.body.items[0].id}`);
    expect(order.body.lines.map((l: any) => [l.category, l.requested, l.reserved])).toEqual([['T-00001', '160', '140']]);
    await go(page, 'allocations');
    await shot(page, 'dispatcher-reservations');
    await page.context().close();
  }, FLOW_TIMEOUT);

  let claimNumber = '';
  it('assessor: registers a claim with the resident ID checked as typed, surveys and assesses it', async () => {
    const event = await app.request('POST', '/events', { token: null, headers: { authorization: `Bearer ${app.adminToken}` }, body: { type: 'TYPHOON', name: '台风“海葵”', occurredOn: INCIDENT_ON, district: '市南区' } });
    expect(event.status).toBe(201);
    const page = await signIn('查勘员');
    await go(page, 'intake');
    await choose(page, '灾害事件', '台风“海葵”');
    await page.getByLabel('出险日期').fill(INCIDENT_ON);
    await page.getByLabel('出险日期').press('Enter');
    await page.getByLabel('申请人姓名').fill('王五');
    const id = residentId(1);
    await page.getByLabel('身份证号').fill(id.slice(0, 17) + (id[17] === '1' ? '2' : '1'));
    await visible(page.getByText(/校验位应为/));
    await page.getByLabel('身份证号').fill(id);
    await visible(page.getByText('号码校验通过'));
    await page.getByLabel('联系电话').fill('13800000001');
    await page.getByLabel('收款户名').fill('王五');
    await page.getByLabel('银行账号').fill('6222020200112233445');
    await page.getByLabel('开户行').fill('中国工商银行青岛分行');
    await page.getByLabel('事故经过').fill('台风中被坠落广告牌砸伤，送医治疗');
    await shot(page, 'assessor-intake');
    await page.getByRole('button', { name: /受理登记/ }).click();
    await visible(page.getByText(/已受理：案件号/));
    await visible(page.getByText('补充材料通知书'));
    await shot(page, 'assessor-documents-notice');
    claimNumber = (await page.getByText(/已受理：案件号/).textContent())!.replace(/.*案件号\s*/, '').trim();
    await page.getByRole('button', { name: /打开案件/ }).click();
    await page.getByLabel('查勘结论').fill('现场查勘属实');
    for (const box of await page.locator('.ant-card').filter({ hasText: '收到的材料' }).locator('input[type=checkbox]').all()) await box.check();
    await page.getByRole('button', { name: /提交查勘/ }).click();
    await page.getByLabel('发票号').fill('INV-2026-001');
    await page.getByLabel('发票金额').fill('3200.50');
    await page.getByRole('button', { name: /计算并提交定损/ }).click();
    await visible(page.getByText(/定损结果：合计/));
    await shot(page, 'assessor-assessment');
    const claim = await app.request('GET', `/claims?status=ASSESSED`);
    expect(claim.body.items.map((c: { number: string }) => c.number)).toContain(claimNumber);
    await page.context().close();
  }, FLOW_TIMEOUT);

  it('approver: finds the claim in the queue and approves it', async () => {
    const page = await signIn('审批人');
    await visible(page.getByText(claimNumber));
    await shot(page, 'approver-queue');
    await page.getByText(claimNumber).click();
    await visible(page.getByText(/定损结果：合计/));
    await shot(page, 'approver-claim');
    await page.getByRole('button', { name: /确认批准/ }).click();
    await toast(page, '已批准');
    const claims = await app.request('GET', '/claims?status=APPROVED');
    expect(claims.body.items.map((c: { number: string }) => c.number)).toContain(claimNumber);
    await page.context().close();
  }, FLOW_TIMEOUT);

  it('finance: batches the claim, downloads the bank file, records the bank answer, downloads a report', async () => {
    const page = await signIn('财务');
    await go(page, 'payouts');
    await page.locator('tr').filter({ hasText: claimNumber }).locator('input[type=checkbox]').check();
    await shot(page, 'finance-payouts');
    await page.getByRole('button', { name: /生成支付批次/ }).click();
    await toast(page, /已生成批次/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByText('下载银行代发文件（CSV）').click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    await visible(page.getByRole('button', { name: /登记银行回单/ }));
    await page.getByRole('button', { name: /登记银行回单/ }).click();
    await page.getByLabel('银行流水号').fill('BK20261201');
    await page.getByRole('button', { name: /登\s*记/ }).last().click();
    await toast(page, /案件已赔付/);
    await shot(page, 'finance-batch');
    const all = await app.request('GET', '/claims');
    expect(all.body.items.find((c: { number: string }) => c.number === claimNumber)).toMatchObject({ status: 'CLOSED', paid: '3200.50', remaining: '0.00' });

    await go(page, 'reports');
    await visible(page.getByText('赔付汇总').first());
    await shot(page, 'finance-reports');
    const card = page.locator('.ant-card').filter({ hasText: /赔付汇总/ }).first();
    const [report] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: /下载 Excel/ }).click()]);
    expect(report.suggestedFilename()).toMatch(/\.xlsx$/);
    await page.context().close();
  }, FLOW_TIMEOUT);

  it('admin: a catalog file with problems is refused and every problem is listed by row', async () => {
    const page = await signIn('admin');
    await go(page, 'imports');
    await page.locator('input[type=file]').setInputFiles({ name: 'catalog.csv', mimeType: 'text/csv', buffer: Buffer.from('编码,名称,大类,小类,计量单位,数量精度,批次管理,规格型号\nX-1,,生活,帐篷,顶,9,否,\nX-2,好的,生活,帐篷,顶,0,可能,\n') });
    await page.getByRole('button', { name: /试导入/ }).click();
    await visible(page.getByText('文件有 3 处问题'));
    expect(await page.locator('.ant-table-tbody tr').count()).toBe(3);
    // Each row's problem in Chinese (the service's English kept as the cell's tooltip).
    expect(await page.locator('.ant-table-tbody tr td:last-child').allInnerTexts()).toEqual(['必填', '须在 0 到 3 之间', '须为“是”或“否”']);
    await shot(page, 'admin-imports');
    await go(page, 'users');
    await visible(page.getByText('保管员市南'));
    await shot(page, 'admin-users');
    await page.context().close();
  }, FLOW_TIMEOUT);
  it('finance: cancels an open batch with a reason, pays a claim on its page, records a third-party recovery and collects it; a bad return file is listed by row; a returned payment', async () => {
    const people = await staff(app);
    const event = await createEvent(app, people.assessor, 'CRIMINAL_CASE');
    const walked = await registerAndAssess(app, people, { product: 'CRIMINAL_INJURY', event, idNumber: residentId(2), items: [{ type: 'MEDICAL', invoices: [{ number: 'E2E-CI-1', amount: '5000.00' }] }] });
    await approve(app, people.approver, walked.id);
    const page = await signIn('财务');
    await go(page, 'payouts');
    // The confirmed batch of the first flow: a return file with a line for a claim not in it is refused row by row; then the bank returns the payment.
    await page.getByText('PB00000001').click();
    await page.locator('input[type=file]').setInputFiles({ name: 'return.csv', mimeType: 'text/csv', buffer: Buffer.from(`用途,状态,银行流水号,交易日期\n${claimNumber},成功,BK20261201-1,${TODAY}\nLP99999999,成功,BK-X,${TODAY}\n`) });
    await page.getByRole('button', { name: /登记回单文件/ }).click();
    await visible(page.getByText(/回单文件有 \d+ 处问题/));
    await visible(page.locator('.ant-table-cell').getByText('LP99999999'));
    await page.getByText(/回单文件有 \d+ 处问题/).scrollIntoViewIfNeeded();
    await shot(page, 'finance-return-file');
    await page.getByRole('button', { name: /登记退回/ }).click();
    await page.getByLabel('退回原因').fill('账户已销户');
    await shot(page, 'finance-return-payment');
    await page.getByRole('button', { name: /确认退回/ }).click();
    await toast(page, /已登记退回/);
    const returned = await app.request('GET', '/claims?status=APPROVED', { token: people.finance });
    expect(returned.body.items.map((c: { number: string }) => c.number)).toContain(claimNumber);
    await go(page, 'payouts');
    await page.locator('tr').filter({ hasText: walked.number }).locator('input[type=checkbox]').check();
    await page.getByRole('button', { name: /生成支付批次/ }).click();
    await toast(page, /已生成批次/);
    await page.getByRole('button', { name: /取消批次/ }).click();
    await page.getByLabel('取消原因').fill('收款账户待核实');
    await shot(page, 'finance-cancel-batch');
    await page.getByRole('button', { name: /确认取消批次/ }).click();
    await toast(page, /已取消/);
    const batches = await app.request('GET', '/payout-batches?status=CANCELLED', { token: people.finance });
    expect(batches.body.items.map((b: { cancelReason: string }) => b.cancelReason)).toEqual(['收款账户待核实']);

    await go(page, `claim/${walked.id}`);
    await page.getByRole('button', { name: /单笔支付登记/ }).click();
    await page.getByLabel('支付流水号').fill('E2E-PAY-1');
    await shot(page, 'finance-claim-pay');
    await page.getByRole('button', { name: /确认单笔支付登记/ }).click();
    await toast(page, /已登记支付/);
    const paid = await app.request('GET', `/claims/${walked.id}`, { token: people.finance });
    expect(paid.body).toMatchObject({ paid: '5000.00', remaining: '0.00' });
    // The bank sends the direct payment back: recorded from the claim's 支付记录, then paid again.
    const paymentRow = page.locator('tr').filter({ hasText: 'E2E-PAY-1' });
    await visible(paymentRow.getByText('单笔支付'));
    await paymentRow.getByRole('button', { name: /登记退回/ }).click();
    await page.getByLabel('退回原因').fill('户名不符');
    await shot(page, 'finance-claim-payment-return');
    await page.getByRole('button', { name: /确认退回/ }).click();
    await toast(page, /已登记退回/);
    await visible(page.locator('tr').filter({ hasText: '户名不符' }).getByText('冲回（银行退回）'));
    expect((await app.request('GET', `/claims/${walked.id}`, { token: people.finance })).body).toMatchObject({ paid: '0.00', remaining: '5000.00' });
    await page.getByRole('button', { name: /单笔支付登记/ }).click();
    await page.getByLabel('支付流水号').fill('E2E-PAY-2');
    await page.getByRole('button', { name: /确认单笔支付登记/ }).click();
    // (The first payment's message may still be showing: the new row in 支付记录 is what says it is done.)
    await visible(page.locator('tr').filter({ hasText: 'E2E-PAY-2' }).getByText('单笔支付'));
    expect((await app.request('GET', `/claims/${walked.id}`, { token: people.finance })).body).toMatchObject({ paid: '5000.00', remaining: '0.00' });

    await go(page, 'recoveries');
    await page.getByLabel('案件号').fill(walked.number);
    await page.getByLabel('责任方').fill('犯罪嫌疑人王某');
    await page.getByLabel('追偿金额').fill('3000.00');
    await page.getByLabel('追偿依据').fill('刑事附带民事赔偿判决');
    await page.getByRole('button', { name: /登记追偿/ }).click();
    await toast(page, /已登记：犯罪嫌疑人王某 应付 3000.00 元/);
    await visible(page.locator('tr').filter({ hasText: walked.number }).getByRole('button', { name: /登记收款/ }));
    await shot(page, 'finance-recoveries');
    await page.locator('tr').filter({ hasText: walked.number }).getByRole('button', { name: /登记收款/ }).click();
    expect(await page.getByLabel('收款金额').inputValue()).toBe('3000.00');
    await page.getByLabel('收款流水号').fill('E2E-RC-1');
    await page.getByRole('button', { name: /登记收款/ }).last().click();
    await toast(page, /已全部收回/);
    const collected = await app.request('GET', '/recoveries?status=COLLECTED', { token: people.finance });
    expect(collected.body.items).toEqual([expect.objectContaining({ claim: walked.number, collected: '3000.00', outstanding: '0.00' })]);

    await go(page, 'payout-figures');
    await visible(page.getByText('重大恶性案件伤害').first());
    await choose(page, '赔付率险种', '重大恶性案件伤害');
    await visible(page.getByText('净赔付率'));
    await shot(page, 'finance-payout-figures');
    await page.context().close();

    const assessor = await signIn('查勘员');
    await go(assessor, `claim/${walked.id}`);
    await assessor.getByRole('button', { name: /查看完整证件号与账号/ }).click();
    await assessor.getByLabel('查看原因').fill('核对申请人身份');
    await assessor.getByRole('button', { name: /查\s*看/ }).last().click();
    await visible(assessor.getByText(residentId(2)));
    await shot(assessor, 'assessor-reveal');
    const log = await app.request('GET', '/access-log');
    expect(log.body.items[0]).toMatchObject({ reason: '核对申请人身份' });
    await assessor.context().close();
  }, FLOW_TIMEOUT);

  it('keeper: reverses a receipt from the 台帐 with a reason, the balance goes back; quarantines a lot', async () => {
    const receipt = await app.request('POST', '/receipts', { body: { warehouse: 'WH-SN-01', source: { kind: 'DONATION', name: '误录捐赠' }, lines: [{ category: 'T-00003', quantity: '10' }] } });
    expect(receipt.status).toBe(201);
    const page = await signIn('保管员市南');
    await page.getByLabel('搜索物资').fill('帐篷 3型');
    await page.getByText('帐篷 3型（T-00003）').click();
    await page.locator('.ant-drawer').getByRole('button', { name: /冲\s*销/ }).click();
    await page.getByLabel('冲销原因').fill('重复录入');
    await shot(page, 'keeper-reverse');
    await page.getByRole('button', { name: /确认冲销/ }).click();
    await visible(page.getByText(/已冲销，冲销单/));
    await shot(page, 'keeper-reversed');
    const balance = await app.request('GET', '/balances?warehouse=WH-SN-01&category=T-00003');
    expect(balance.body.items.filter((b: { onHand: string }) => b.onHand !== '0')).toEqual([]);
    const original = await app.request('GET', `/documents/${receipt.body.id}`);
    const reversal = await app.request('GET', `/documents/${original.body.reversedByDocumentId}`);
    expect(reversal.body).toMatchObject({ type: 'REVERSAL', reason: '重复录入' });
    // Back in the 台帐 the receipt says it has been reversed, and by what, instead of offering 冲销 again.
    await page.getByRole('button', { name: /知道了/ }).click();
    await visible(page.locator('.ant-drawer').getByText(`已冲销（${reversal.body.id}）`));
    await shot(page, 'keeper-reversed-ledger');
    expect((await app.request('POST', '/receipts', { body: { warehouse: 'WH-SN-01', source: { kind: 'PROCUREMENT', name: '粮油公司' }, lines: [{ category: 'R-00002', quantity: '1.5', lot: 'L2026-01', expiresOn: '2027-06-30' }] } })).status).toBe(201);
    await go(page, 'lots');
    await choose(page, '批次物资', '大米 2');
    await page.locator('tr').filter({ hasText: 'L2026-01' }).getByRole('button', { name: /变更状态/ }).click();
    await page.getByLabel('状态原因').fill('抽检待复核');
    await shot(page, 'keeper-lot-status');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await toast(page, /已设为隔离待检/);
    await visible(page.locator('tr').filter({ hasText: 'L2026-01' }).getByText('抽检待复核'));
    await shot(page, 'keeper-lots');
    const lots = await app.request('GET', '/lots?category=R-00002&warehouse=WH-SN-01');
    expect(lots.body.items[0]).toMatchObject({ lot: 'L2026-01', status: 'QUARANTINED', statusReason: '抽检待复核' });
    await go(page, 'quotas');
    await shot(page, 'keeper-quotas');
    await page.context().close();
  }, FLOW_TIMEOUT);

  it('dispatcher: records the delivery of a dispatched order, a difference with its reason', async () => {
    const orders = await app.request('GET', '/allocations?status=RESERVED');
    const order = orders.body.items[0];
    for (const warehouse of ['WH-SN-01', 'WH-CITY-01']) expect((await app.request('POST', `/allocations/${order.id}/dispatch`, { body: { warehouse } })).status).toBe(201);
    const page = await signIn('调度员');
    await go(page, 'allocations');
    await page.getByRole('tab', { name: '已发运' }).click();
    await page.getByText(order.number).click();
    await page.getByLabel('实到数量').fill('138');
    await page.getByLabel('差异原因').fill('途中损坏 2 顶');
    await shot(page, 'dispatcher-deliver');
    await page.getByRole('button', { name: /确认送达/ }).first().click();
    // The confirmation's own 确认送达, once it has opened over the form's.
    await expect.poll(() => page.getByRole('button', { name: /确认送达/ }).count()).toBeGreaterThan(1);
    await page.getByRole('button', { name: /确认送达/ }).last().click();
    await toast(page, /已登记送达/);
    const after = await app.request('GET', `/allocations/${order.id}`);
    expect(after.body.status).toBe('DELIVERED');
    await page.context().close();
  }, FLOW_TIMEOUT);

  it('admin: issues a token shown once, sets a quota, sees backups are off, checks the ledger against a saved digest', async () => {
    const page = await signIn('admin');
    await go(page, 'users');
    // The administrator's menu is taller than the screen: it scrolls on its own and stays in place
    // while the page scrolls, so its last item is reached from anywhere.
    const menu = page.locator('.ant-layout-sider');
    await page.evaluate(() => scrollTo(0, document.body.scrollHeight));
    expect(await menu.evaluate((sider) => [sider.getBoundingClientRect().top, sider.getBoundingClientRect().bottom <= innerHeight])).toEqual([0, true]);
    const lastItem = menu.getByRole('menuitem').last();
    await lastItem.scrollIntoViewIfNeeded();
    await visible(lastItem);
    expect(await menu.evaluate((sider) => sider.scrollHeight > sider.clientHeight && sider.scrollTop > 0)).toBe(true);
    expect(await lastItem.evaluate((item) => item.getBoundingClientRect().bottom <= innerHeight)).toBe(true);
    await shot(page, 'admin-menu');
    await page.locator('tr').filter({ hasText: '调度员' }).getByRole('button', { name: /签发新令牌/ }).click();
    // The rows' own 签发新令牌 buttons match too: the dialog's button, once the dialog is there.
    const issue = page.getByRole('dialog').filter({ hasText: '签发新 API 令牌' });
    await visible(issue);
    await issue.getByRole('button', { name: /签\s*发/ }).click();
    await visible(page.getByText('令牌只显示这一次'));
    await shot(page, 'admin-token');
    const token = (await page.locator('.ant-modal div.ant-typography').first().innerText()).trim();
    expect((await app.request('GET', '/me', { token })).body.name).toBe('调度员');
    await page.getByRole('button', { name: /已保存，关闭/ }).click();

    await go(page, 'quotas');
    await choose(page, '定额仓库', '市南区应急物资储备库');
    await choose(page, '定额物资', '帐篷 1型');
    await page.getByLabel('定额数量').fill('12');
    await page.getByRole('button', { name: /保存定额/ }).click();
    await toast(page, /定额已设为 12/);
    expect((await app.request('GET', '/quotas?warehouse=WH-SN-01')).body.items).toEqual([{ warehouse: 'WH-SN-01', category: 'T-00001', quantity: '12' }]);
    await shot(page, 'admin-quotas');

    await go(page, 'backups');
    await page.getByRole('button', { name: /立即备份/ }).click();
    await page.getByRole('button', { name: /开始备份/ }).click();
    await visible(page.getByText('备份未开启'));
    await shot(page, 'admin-backups');

    const digest = await app.request('GET', '/ledger/digest');
    await go(page, 'ledger-audit');
    await page.getByRole('button', { name: /开始核对/ }).click();
    await visible(page.getByText('一致：余额与台帐相符'));
    await page.getByLabel('保存的摘要').fill(JSON.stringify(digest.body));
    await page.getByRole('button', { name: /用保存的摘要校验/ }).click();
    await visible(page.getByText(/与保存的摘要一致/));
    await page.getByRole('button', { name: /生成当前摘要/ }).click();
    await visible(page.getByText('当前摘要'));
    await shot(page, 'admin-ledger-audit');
    await page.context().close();
  }, FLOW_TIMEOUT);
});
