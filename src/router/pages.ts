/** The platform's own error pages, with Heroku-style codes so users can search them. */
export interface ErrorPage {
  status: number;
  code: string;
  title: string;
  detail: string;
}

export const PAGES = {
  unknownHost: { status: 404, code: 'no_app', title: 'No such app', detail: 'There is no app at this address.' },
  noWeb: { status: 503, code: 'H14', title: 'Application unavailable', detail: 'No web processes are running for this app.' },
  crashed: { status: 503, code: 'H10', title: 'Application error', detail: 'The app crashed or is not accepting connections.' },
  timeout: { status: 504, code: 'H12', title: 'Request timeout', detail: 'The app did not answer in time.' },
  closed: { status: 502, code: 'H13', title: 'Application error', detail: 'The app closed the connection without a response.' },
  badRequest: { status: 400, code: 'bad_request', title: 'Bad request', detail: 'The request could not be understood.' },
  requestTimeout: { status: 408, code: 'request_timeout', title: 'Request timeout', detail: 'The request was not sent in time.' },
} satisfies Record<string, ErrorPage>;

export type PageName = keyof typeof PAGES;

export function renderPage(p: ErrorPage): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${p.title}</title>
<style>body{font-family:system-ui,sans-serif;margin:4rem auto;max-width:36rem;color:#333}code{color:#888}</style></head>
<body><h1>${p.title}</h1><p>${p.detail}</p><p><code>${p.code}</code></p></body></html>
`;
}

const REASON: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  408: 'Request Timeout',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The page as a whole HTTP response, the form HAProxy's `errorfile` wants
 * (it sends the file byte for byte, so the headers and length live in it).
 */
export function renderErrorfile(p: ErrorPage): string {
  const body = renderPage(p);
  return [
    `HTTP/1.1 ${p.status} ${REASON[p.status] ?? 'Error'}`,
    'Content-Type: text/html; charset=utf-8',
    'Cache-Control: no-store',
    'Connection: close',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}
