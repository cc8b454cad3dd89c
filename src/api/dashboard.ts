import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Context, Env, Hono } from 'hono';
import { packageRoot } from '../package-root.ts';

/** Where `npm run build:ui` writes the dashboard. */
export const defaultDashboardDir = join(packageRoot, 'src', 'ui', 'dist');

/** Paths that belong to the server, never to the dashboard's index.html fallback. */
const serverPrefixes = [
  '/api',
  '/healthz',
  // Signed approval links answer their own pages, errors included.
  '/approvals',
  '/metrics',
  '/assistants',
  '/threads',
  '/runs',
  '/info',
  '/mcp',
  '/store',
  '/ok',
  '/docs',
];

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The page's own scripts and styles only; inline styles for React's style attributes. */
const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'";

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Kairos</title>
<body style="font:15px system-ui;margin:3rem;max-width:40rem">
<h1>Kairos is running</h1>
<p>The dashboard has not been built. Run <code>npm run build:ui</code> (or start with <code>npm start</code>, which builds it), then reload.</p>
<p>The API is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>, with docs at <a href="/api/docs">/api/docs</a>.</p></body>`;

function isServerPath(path: string): boolean {
  return serverPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** The file under `root` that `path` names, or undefined when it escapes `root`. */
function fileFor(root: string, path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = normalize(join(root, decoded));
  return file.startsWith(root) ? file : undefined;
}

async function readIfFile(file: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return await readFile(file);
  } catch {
    return undefined;
  }
}

function respond(c: Context, body: Buffer, file: string, cacheControl: string): Response {
  const type = contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Cache-Control': cacheControl,
    'X-Content-Type-Options': 'nosniff',
  };
  if (type.startsWith('text/html')) {
    headers['Content-Security-Policy'] = contentSecurityPolicy;
    headers['Referrer-Policy'] = 'same-origin';
  }
  return new Response(c.req.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
}

/**
 * Serves the built dashboard (src/ui/dist) at `/`: hashed files under `/assets/` are cached for
 * a year, `index.html` is revalidated on every load, and any other GET for an HTML page that no
 * server route answers falls back to `index.html` (client-side routes). API paths are never
 * shadowed: the fallback only replaces a 404 and skips `/api`, `/healthz`, `/metrics` and the
 * LangGraph-compatible routes. Without a build, `/` explains how to make one.
 *
 * @example
 * const app = createApiApp(context);
 * mountDashboard(app);
 */
export function mountDashboard<E extends Env>(app: Hono<E>, distDir: string = defaultDashboardDir): void {
  const root = normalize(distDir.endsWith(sep) ? distDir : distDir + sep);
  const index = join(root, 'index.html');

  const sendIndex = async (c: Context) => {
    const body = await readIfFile(index);
    if (!body) return c.html(notBuilt, 503, { 'Cache-Control': 'no-store' });
    return respond(c, body, index, 'no-cache');
  };

  app.use('*', async (c, next) => {
    const method = c.req.method;
    const path = c.req.path;
    if ((method !== 'GET' && method !== 'HEAD') || isServerPath(path)) return next();
    if (path === '/' || path === '/index.html') return sendIndex(c);
    const file = fileFor(root, path);
    const body = file ? await readIfFile(file) : undefined;
    if (file && body) {
      const hashed = path.startsWith('/assets/');
      return respond(c, body, file, hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    }
    await next();
    // A page no route answered: let the client-side router handle it.
    const wantsHtml = (c.req.header('accept') ?? '').includes('text/html');
    if (c.res.status === 404 && wantsHtml && !path.startsWith('/assets/')) {
      c.res = undefined as unknown as Response;
      c.res = await sendIndex(c);
    }
  });
}
