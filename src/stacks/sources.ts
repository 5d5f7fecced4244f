import { SlipwayError } from '../lib/index.js';

/** One apt source line for mmdebstrap: `deb [signed-by=K] URI SUITE COMPONENTS`. */
export type SourceLine = string;

interface Entry {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  signedBy?: string;
}

/**
 * The machine's configured Debian sources for `suite` and its -updates and
 * -security suites, as one-line entries mmdebstrap takes as mirrors. Read
 * from deb822 (`*.sources`) and one-line (`*.list`) files, so a stack comes
 * from the same mirror (or snapshot, or proxy) the operator set up for apt;
 * other vendors' repositories (nodesource, cloud SDKs) are left out: a stack
 * is made of Debian packages only.
 */
export function debianSourcesFor(suite: string, files: readonly { name: string; text: string }[]): SourceLine[] {
  const entries = files.flatMap((f) => (f.name.endsWith('.sources') ? parseDeb822(f.text) : parseOneLine(f.text)));
  const wanted = new Set([suite, `${suite}-updates`, `${suite}-security`]);
  const lines: SourceLine[] = [];
  for (const e of entries) {
    if (!e.types.includes('deb')) continue;
    for (const uri of e.uris) {
      if (!isDebianUri(uri)) continue;
      for (const s of e.suites) {
        if (!wanted.has(s)) continue;
        const opts = e.signedBy ? `[signed-by=${e.signedBy}] ` : '';
        const line = `deb ${opts}${uri} ${s} ${e.components.join(' ')}`;
        if (!lines.includes(line)) lines.push(line);
      }
    }
  }
  if (lines.length === 0) {
    throw new SlipwayError('E_STACK_BUILD_FAILED', `no Debian source for ${suite} is configured in /etc/apt`, {
      hint: `add deb.debian.org (or your mirror) for ${suite} to /etc/apt/sources.list.d/debian.sources`,
    });
  }
  return lines;
}

function isDebianUri(uri: string): boolean {
  return /^https?:\/\/[^/]+\/(?:.*\/)?debian(?:-security)?\/?$/.test(uri) || /debian\.org\//.test(uri);
}

function parseDeb822(text: string): Entry[] {
  const out: Entry[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const raw of para.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && last) {
        fields.set(last, `${fields.get(last)} ${raw.trim()}`);
        continue;
      }
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(raw);
      if (!m) continue;
      last = (m[1] as string).toLowerCase();
      fields.set(last, (m[2] as string).trim());
    }
    if (!fields.has('uris') || fields.get('enabled') === 'no') continue;
    const words = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    const signed = fields.get('signed-by');
    out.push({ types: words('types'), uris: words('uris'), suites: words('suites'), components: words('components'), ...(signed && !signed.includes(' ') ? { signedBy: signed } : {}) });
  }
  return out;
}

function parseOneLine(text: string): Entry[] {
  const out: Entry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const signed = /signed-by=(\S+)/.exec(m[2] ?? '')?.[1];
    out.push({ types: [m[1] as string], uris: [m[3] as string], suites: [m[4] as string], components: (m[5] ?? '').split(/\s+/).filter(Boolean), ...(signed ? { signedBy: signed } : {}) });
  }
  return out;
}
