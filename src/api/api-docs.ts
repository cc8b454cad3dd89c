import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';
import type { ApiEnv } from './env.ts';

/** Where the interactive API docs live; their assets are under `${apiDocsPath}/assets/`. */
export const apiDocsPath = '/api/docs';

/** Swagger UI's files, served from the `swagger-ui-dist` package: the page works without internet. */
const assets: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

function distDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

const page = (openApiUrl: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kairos API</title>
<link rel="icon" type="image/png" href="${apiDocsPath}/assets/favicon-32x32.png">
<link rel="stylesheet" href="${apiDocsPath}/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${apiDocsPath}/assets/swagger-ui-bundle.js"></script>
<script src="${apiDocsPath}/assets/init.js" data-url="${openApiUrl}"></script>
</body>
</html>
`;

// Not inline: a Content-Security-Policy without 'unsafe-inline' still lets the page run.
const init = `const url = document.currentScript.dataset.url;
window.ui = SwaggerUIBundle({ url, dom_id: '#swagger-ui', deepLinking: true });
`;

/**
 * Mounts Swagger UI at `/api/docs` over the OpenAPI document at `openApiUrl`, every asset served
 * by this server from the pinned `swagger-ui-dist` dependency (no CDN).
 */
export function mountApiDocs(app: Hono<ApiEnv>, openApiUrl: string): void {
  const dir = distDir();
  const cache = new Map<string, Buffer>();
  app.get(apiDocsPath, (c) => c.html(page(openApiUrl)));
  app.get(`${apiDocsPath}/assets/init.js`, (c) =>
    c.body(init, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }),
  );
  app.get(`${apiDocsPath}/assets/:file`, async (c) => {
    const file = c.req.param('file');
    const type = assets[file];
    if (!type) return c.json({ error: { code: 'not_found', message: `no asset "${file}" in the API docs` } }, 404);
    let body = cache.get(file);
    if (!body) {
      body = await readFile(join(dir, file));
      cache.set(file, body);
    }
    return c.body(new Uint8Array(body), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
}
