// Proves the console's files are served at / by the same process: the page with a policy that allows only its own scripts, hashed assets cached for long, nothing outside the build folder, a clear 503 when the build is missing, and the API routes untouched.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveConsole } from '../../src/http/console.js';

let base = '';
let missingBase = '';
const servers: { close(): void }[] = [];

function listen(app: Koa): Promise<string> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    servers.push(server);
  });
}

beforeAll(async () => {
  const dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>控制台</title>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dist, '..', 'secret.txt'), 'not for the web');
  const app = new Koa();
  app.use(serveConsole(dist));
  app.use((ctx) => { ctx.status = 404; ctx.body = 'api'; });
  base = await listen(app);
  const empty = new Koa();
  empty.use(serveConsole(mkdtempSync(join(tmpdir(), 'console-none-'))));
  missingBase = await listen(empty);
});
afterAll(() => servers.forEach((s) => s.close()));

describe('console files', () => {
  it('serves the page at / with a policy that allows only its own scripts', async () => {
    const reply = await fetch(`${base}/`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('text/html');
    expect(reply.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(reply.headers.get('content-security-policy')).not.toContain('script-src');
    expect(await reply.text()).toContain('控制台');
  });

  it('serves hashed assets with a long cache, and nothing outside the build', async () => {
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    for (const path of ['/assets/../../secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/assets/nothing.js', '/claims']) {
      const reply = await fetch(base + path);
      expect(reply.status, path).toBe(404);
      expect(await reply.text()).not.toContain('not for the web');
    }
  });

  it('says how to build the console when the build is missing', async () => {
    const reply = await fetch(`${missingBase}/`);
    expect(reply.status).toBe(503);
    expect(await reply.text()).toContain('npm install');
  });
});
