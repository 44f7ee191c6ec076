// Proves GET /docs serves the API reference page from swagger-ui-dist with no outside address, and GET /metrics counts requests by route template and status, the pool, postings and claims by status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createEvent, intakeBody, residentId, staff } from './claims.fixtures.js';
import { newCategory, seedWarehouses } from './stock.fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('GET /docs', () => {
  it('serves the reference page without a token, with every file it loads from this service', async () => {
    const page = await fetch(`${app.base}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js']));
    for (const asset of assets) {
      const reply = await fetch(app.base + asset);
      expect(reply.status, asset).toBe(200);
      expect((await reply.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    const bundle = await fetch(`${app.base}/docs/swagger-ui-bundle.js`);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    const init = await (await fetch(`${app.base}/docs/init.js`)).text();
    expect(init).toContain("url: '/openapi.json'");
    expect(init).toContain('validatorUrl: null');
  });

  it('serves nothing else from the package', async () => {
    const reply = await app.request('GET', '/docs/package.json', { token: null });
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('NOT_FOUND');
    expect((await app.request('GET', '/docs/..%2Fpackage.json', { token: null })).status).toBe(404);
    // Names of Object.prototype are not files either (the fuzzer found /docs/constructor answering 500).
    for (const name of ['constructor', '__proto__', 'toString']) expect((await app.request('GET', `/docs/${name}`, { token: null })).status).toBe(404);
  });
});

describe('GET /metrics', () => {
  it('is public, in the Prometheus text format, with requests by route template and status', async () => {
    await app.request('GET', '/categories');
    await app.request('GET', '/categories/NOPE-1');
    await app.request('GET', '/categories/NOPE-2');
    await app.request('GET', '/me', { token: null });
    const reply = await fetch(`${app.base}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await reply.text();
    expect(text).toContain('# TYPE relief_http_requests_total counter');
    expect(text).toContain('relief_http_requests_total{method="GET",route="/categories",status="200"} 1');
    // Two different codes, one series: the template, not the path.
    expect(text).toContain('relief_http_requests_total{method="GET",route="/categories/:code",status="404"} 2');
    expect(text).not.toContain('NOPE-1');
    expect(text).toContain('relief_http_requests_total{method="GET",route="/me",status="401"} 1');
    expect(text).toMatch(/relief_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/categories",status="200"\} \d+/);
    expect(text).toMatch(/relief_http_request_duration_seconds_count\{method="GET",route="\/categories\/:code",status="404"\} 2/);
    expect(text).toMatch(/relief_db_pool_connections\{state="in_use"\} \d+/);
    expect(text).toMatch(/relief_db_pool_connections\{state="idle"\} \d+/);
    expect(text).toMatch(/relief_db_pool_waiting \d+/);
    expect(text).toContain('relief_process_resident_memory_bytes');
  });

  it('counts documents and movements posted and claims by status, from the database', async () => {
    const value = async (series: string) => {
      const text = await (await fetch(`${app.base}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.split(' ')[1]) : 0;
    };
    const movementsBefore = await value('relief_stock_movements_posted');
    await seedWarehouses(app);
    const tent = await newCategory(app, 'tent');
    const receipt = await app.request('POST', '/receipts', { body: { warehouse: 'WH-A', source: { kind: 'DONATION', name: '捐赠人' }, lines: [{ category: tent, quantity: '5' }] } });
    expect(receipt.status).toBe(201);
    const transfer = await app.request('POST', '/transfers', { body: { from: 'WH-A', to: 'WH-B', lines: [{ category: tent, quantity: '2' }] } });
    expect(transfer.status).toBe(201);
    expect(await value('relief_stock_documents_posted{type="RECEIPT"}')).toBe(1);
    expect(await value('relief_stock_documents_posted{type="TRANSFER_SHIP"}')).toBe(1);
    expect(await value('relief_stock_movements_posted')).toBe(movementsBefore + 2);

    const people = await staff(app);
    const event = await createEvent(app, people.assessor, 'TYPHOON');
    for (const n of [1, 2]) {
      const claim = await app.request('POST', '/claims', { token: people.assessor, body: intakeBody({ product: 'PUBLIC_LIABILITY', event, idNumber: residentId(n) }) });
      expect(claim.status, JSON.stringify(claim.body)).toBe(201);
    }
    expect(await value('relief_claims{status="REPORTED"}')).toBe(2);
  });
});
