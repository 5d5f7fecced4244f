import http from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpGetOptions {
  method?: string;
  agent?: http.Agent | false;
  timeoutMs?: number;
}

/**
 * One request to URL with explicit headers (fetch cannot set Host). The path
 * is sent exactly as written in URL: no normalisation of `..` or `//`, so
 * tests can send what an attacker would.
 */
export function httpGet(url: string, headers: http.OutgoingHttpHeaders = {}, opts: HttpGetOptions = {}): Promise<Reply> {
  const m = /^http:\/\/(\[[^\]]+\]|[^/:]+)(?::(\d+))?(.*)$/.exec(url);
  if (!m) throw new TypeError(`httpGet: not an http:// URL: ${url}`);
  const host = (m[1] as string).replace(/^\[|\]$/g, '');
  const port = Number(m[2] ?? 80);
  const path = m[3] || '/';
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, method: opts.method ?? 'GET', headers, agent: opts.agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${opts.method ?? 'GET'} ${url} timed out after ${timeoutMs} ms`)));
    req.end();
  });
}
