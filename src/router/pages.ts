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
} satisfies Record<string, ErrorPage>;

export function renderPage(p: ErrorPage): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${p.title}</title>
<style>body{font-family:system-ui,sans-serif;margin:4rem auto;max-width:36rem;color:#333}code{color:#888}</style></head>
<body><h1>${p.title}</h1><p>${p.detail}</p><p><code>${p.code}</code></p></body></html>
`;
}
