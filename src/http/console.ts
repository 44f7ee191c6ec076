import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { PROJECT_ROOT } from '../config.js';

export const CONSOLE_DIST = resolve(PROJECT_ROOT, 'console', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json',
};

/** The page may load its own scripts and styles only; Ant Design writes its styles into <style> elements. */
const PAGE_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The console's built files: `/` is its page, `/assets/…` its hashed (hence long-cached) scripts and styles.
 * Everything else stays with the API; the console navigates with `#/…`, so no path of its own collides with a route.
 */
export function serveConsole(dist: string = CONSOLE_DIST): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const file = ctx.path === '/' || ctx.path === '/index.html' ? 'index.html' : ctx.path.startsWith('/assets/') || ctx.path === '/favicon.svg' ? normalize(ctx.path.slice(1)) : null;
    if (!file || file.startsWith('..')) return next();
    const path = join(dist, file);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) {
      if (file !== 'index.html') return next();
      ctx.status = 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = '控制台尚未构建：请运行 npm install（或 npm run console:build）后重启服务。\nThe console is not built: run npm install (or npm run console:build) and restart.';
      return;
    }
    ctx.status = 200;
    ctx.type = TYPES[extname(path)] ?? 'application/octet-stream';
    ctx.body = await readFile(path);
    if (file === 'index.html') ctx.set('Content-Security-Policy', PAGE_POLICY);
    else ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
  };
}

/** At start: when the console has not been built (an install that skipped scripts), build it once now. */
export async function consoleFiles(log: Logger): Promise<Middleware> {
  if (!existsSync(join(CONSOLE_DIST, 'index.html')) && existsSync(resolve(PROJECT_ROOT, 'console', 'index.html'))) {
    log.info('the console is not built yet: building it now (npm run console:build)');
    const code = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/build-console.ts'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('exit', done);
      child.on('error', () => done(1));
    });
    if (code !== 0) log.error('building the console failed; the API works, / answers 503 until `npm run console:build` succeeds');
  }
  return serveConsole();
}
