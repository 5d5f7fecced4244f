import { useEffect, useRef, useState } from 'preact/hooks';
import { useLogStream } from '../parts/stream.js';

const SOURCES = ['', 'app', 'router', 'build', 'platform'];

/** Live tail with server-side filters (source, process, release) and a text filter applied in the page. */
export function LogsTab({ app }: { app: string }) {
  const [source, setSource] = useState('');
  const [ps, setPs] = useState('');
  const [release, setRelease] = useState('');
  const [text, setText] = useState('');
  const [applied, setApplied] = useState<Record<string, string | undefined>>({});
  const { entries, connected } = useLogStream(app, applied);
  const box = useRef<HTMLOListElement>(null);
  const shown = text ? entries.filter((e) => e.line.toLowerCase().includes(text.toLowerCase())) : entries;
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [shown.length]);
  return (
    <div>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ source: source || undefined, ps: ps.trim() || undefined, release: release.trim() || undefined });
        }}
      >
        <label>
          Source
          <select value={source} onChange={(e) => setSource((e.target as HTMLSelectElement).value)}>
            {SOURCES.map((s) => (
              <option key={s} value={s}>
                {s || 'all'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Process
          <input value={ps} size={8} placeholder="web or web.1" onInput={(e) => setPs((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Release
          <input value={release} size={5} placeholder="v3" onInput={(e) => setRelease((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Apply</button>
        <label>
          Text
          <input type="search" value={text} placeholder="contains…" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </label>
        <span class={`live ${connected ? 'on' : 'off'}`} role="status">
          {connected ? 'live' : 'reconnecting…'}
        </span>
      </form>
      <ol class="log" ref={box} aria-label="Log lines" tabIndex={0}>
        {shown.map((e, i) => (
          <li key={`${e.time}-${i}`} class={`src-${e.source}`}>
            <time>{e.time.slice(11, 23)}</time> <span class="who">{e.source}{e.ps ? `[${e.ps}]` : ''}</span> {e.line}
          </li>
        ))}
      </ol>
    </div>
  );
}
