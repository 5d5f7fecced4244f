// Slipway's static file server, vendored into an app by the static buildpack as
// .slipway/static-server.mjs. Plain Node, no dependencies: the release needs only `node`.
// It serves the app root (the parent of .slipway/), never anything outside it, never dotfiles
// or the platform's own files.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

// Located from this file, not the cwd, so a process started elsewhere still serves the app.
const ROOT = fs.realpathSync(fileURLToPath(new URL('..', import.meta.url)));
// Platform files at the root that are not part of the site. Dotfiles (.slipway/, .profile.d/,
// .env, .git) are refused separately.
const PRIVATE_AT_ROOT = new Set(['Procfile', 'app.json']);

const UTF8 = '; charset=utf-8';
const TYPES = {
  '.html': 'text/html' + UTF8, '.htm': 'text/html' + UTF8, '.css': 'text/css' + UTF8,
  '.js': 'text/javascript' + UTF8, '.mjs': 'text/javascript' + UTF8, '.json': 'application/json' + UTF8,
  '.map': 'application/json' + UTF8, '.txt': 'text/plain' + UTF8, '.xml': 'application/xml' + UTF8,
  '.svg': 'image/svg+xml' + UTF8, '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg',
  '.gif': 'image/gif', '.webp': 'image/webp', '.ico': 'image/x-icon', '.wasm': 'application/wasm',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.pdf': 'application/pdf',
};

function contentType(file) {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Decodes the request path into safe segments, or says which status to answer. Works on the
 * raw URL (not WHATWG URL parsing) so encoded tricks like `..%2f` are seen after decoding.
 */
function parseTarget(rawUrl) {
  const q = rawUrl.indexOf('?');
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = q === -1 ? '' : rawUrl.slice(q);
  if (!rawPath.startsWith('/')) return { status: 400 };
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { status: 400 }; // malformed percent-encoding is the client's error
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { status: 400 };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { status: 403 };
  if (isPrivate(segments)) return { status: 404 };
  return { segments, query, trailingSlash: decoded.endsWith('/') };
}

function isPrivate(segments) {
  return segments.some((s) => s.startsWith('.')) || (segments.length === 1 && PRIVATE_AT_ROOT.has(segments[0]));
}

/** Resolves symlinks and checks the real file is still inside ROOT and not private. */
async function locate(segments) {
  let real;
  try {
    real = await fsp.realpath(path.join(ROOT, ...segments));
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'ELOOP') return undefined;
    throw err;
  }
  if (real !== ROOT && !real.startsWith(ROOT + path.sep)) return undefined;
  if (isPrivate(path.relative(ROOT, real).split(path.sep).filter(Boolean))) return undefined;
  return { real, st: await fsp.stat(real) };
}

function isFresh(req, etag, mtime) {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    const strip = (t) => t.trim().replace(/^W\//, '');
    return inm.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
  }
  const ims = Date.parse(req.headers['if-modified-since'] ?? '');
  return !Number.isNaN(ims) && Math.floor(mtime.getTime() / 1000) * 1000 <= ims;
}

async function sendFile(req, res, status, { real, st }) {
  const type = contentType(real);
  const headers = {
    'Content-Type': type,
    ETag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
    'Last-Modified': st.mtime.toUTCString(),
    // HTML names the other assets, so it is revalidated every time; assets may be reused a while.
    'Cache-Control': type.startsWith('text/html') ? 'no-cache' : 'public, max-age=3600',
    'X-Content-Type-Options': 'nosniff',
  };
  if (status === 200 && isFresh(req, headers.ETag, st.mtime)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Length': st.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(fs.createReadStream(real), res);
}

const MESSAGES = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error' };

async function sendError(req, res, status, extra = {}) {
  if (status === 404) {
    const page = await locate(['404.html']);
    if (page?.st.isFile()) return sendFile(req, res, 404, page);
  }
  const text = `${status} ${MESSAGES[status] ?? 'Error'}`;
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>${text}</title></head><body><h1>${text}</h1></body></html>\n`;
  res.writeHead(status, {
    'Content-Type': 'text/html' + UTF8,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache',
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(req, res, 405, { Allow: 'GET, HEAD' });
  const target = parseTarget(req.url ?? '/');
  if (target.status) return sendError(req, res, target.status);
  const found = await locate(target.segments);
  if (!found) return sendError(req, res, 404);
  if (found.st.isDirectory()) {
    if (!target.trailingSlash && target.segments.length > 0) {
      // Built from the checked segments, so `//evil.example` can never become an off-site redirect.
      const location = '/' + target.segments.map(encodeURIComponent).join('/') + '/' + target.query;
      res.writeHead(301, { Location: location, 'Content-Length': 0 });
      return res.end();
    }
    const index = await locate([...target.segments, 'index.html']);
    if (!index?.st.isFile()) return sendError(req, res, 404);
    return sendFile(req, res, 200, index);
  }
  if (!found.st.isFile()) return sendError(req, res, 404);
  return sendFile(req, res, 200, found);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    // A client that hangs up mid-stream is normal; anything else is worth a line in the app log.
    if (err?.code !== 'ERR_STREAM_PREMATURE_CLOSE') console.error(`static server: ${req.method} ${req.url}: ${err?.message ?? err}`);
    if (!res.headersSent) sendError(req, res, 500).catch(() => res.destroy());
    else res.destroy();
  });
});

const port = Number.parseInt(process.env.PORT ?? '5000', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`static server: PORT ${JSON.stringify(process.env.PORT)} is not a port number`);
  process.exit(1);
}
server.listen(port, '0.0.0.0', () => {
  console.log(`static server listening on 0.0.0.0:${server.address().port}, serving ${ROOT}`);
});

// Finish in-flight requests on SIGTERM (the platform's stop signal) instead of cutting them off.
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
});
