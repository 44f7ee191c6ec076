/**
 * GET /docs: the API reference page, Swagger UI from the swagger-ui-dist package installed with the
 * project (no CDN), reading /openapi.json from the same origin. Public, like /openapi.json.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { NotFoundError } from '../../shared/errors.js';
import { ok, route } from '../route.js';

const PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>API 参考 · 应急物资台帐与灾害保险理赔</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

/** No inline script (the page's CSP forbids it), no validator badge (it would call out to the internet). */
const INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout',
    docExpansion: 'none', defaultModelsExpandDepth: 0, displayOperationId: true, filter: true, tryItOutEnabled: false,
  });
});
`;

/** Only what the page itself loads, scripts only from this origin; Swagger UI sets inline styles. */
const PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const TYPES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

let dist: string | null = null;
const files = new Map<string, Buffer>();

function asset(name: string): { type: string; bytes: Buffer } {
  if (name === 'init.js') return { type: 'application/javascript; charset=utf-8', bytes: Buffer.from(INIT) };
  const type = Object.hasOwn(TYPES, name) ? TYPES[name] : undefined;
  if (!type) throw new NotFoundError('file', `/docs/${name}`);
  dist ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  let bytes = files.get(name);
  if (!bytes) files.set(name, (bytes = readFileSync(join(dist, name))));
  return { type, bytes };
}

export function docsRoutes() {
  return [
    route({
      method: 'get', path: '/docs', tag: 'system', roles: 'public', summary: 'The API reference page (Swagger UI) for this document',
      produces: 'text/html', responses: { 200: 'an HTML page' },
      async handle({ koa }) {
        koa.set('Content-Security-Policy', PAGE_POLICY);
        koa.type = 'text/html; charset=utf-8';
        return ok(PAGE);
      },
    }),
    route({
      method: 'get', path: '/docs/:file', tag: 'system', roles: 'public', summary: 'The reference page\'s scripts, style sheet and icon (from swagger-ui-dist)',
      produces: ['application/javascript', 'text/css', 'image/png'], responses: { 200: 'the file' },
      async handle({ koa, params }) {
        const { type, bytes } = asset(params.file!);
        koa.set('Content-Type', type);
        koa.set('Cache-Control', 'public, max-age=3600');
        return ok(bytes);
      },
    }),
  ];
}
