// Slipway's function runtime: serves the app's web-standard fetch handler on
// $PORT. The handler is loaded once per instance. Errors thrown by the
// handler become a 500 whose body says nothing; the stack goes to stderr,
// which is the app's log.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const file = readFileSync(path.join(root, '.slipway/function-handler'), 'utf8').trim();
const mod = await import(pathToFileURL(path.join(root, file)).href);
const handler = typeof mod.default === 'function' ? mod.default : mod.default.fetch.bind(mod.default);

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(url, { method: req.method, headers, body: hasBody ? Readable.toWeb(req) : undefined, duplex: 'half' });
    const response = await handler(request);
    if (!(response instanceof Response)) throw new TypeError(`the handler returned ${typeof response}, not a Response`);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body && req.method !== 'HEAD') {
      for await (const chunk of response.body) res.write(chunk);
    }
    res.end();
  } catch (err) {
    console.error(`function error on ${req.method} ${req.url}: ${err instanceof Error ? err.stack : String(err)}`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Internal Server Error\n');
  }
});
server.listen(Number(process.env.PORT), () => console.log(`function listening on ${process.env.PORT}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
