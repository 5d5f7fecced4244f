import { useEffect, useRef, useState } from 'preact/hooks';
import type { LogEntry } from '../api.js';

/**
 * Follows an app's log stream over Server-Sent Events. Each event's id is a
 * cursor (TIME~N); when the connection drops, EventSource reconnects with
 * Last-Event-ID and the server resumes right after it: no gap, no repeat.
 */
export function useLogStream(app: string, query: Record<string, string | undefined>, max = 1000): { entries: LogEntry[]; connected: boolean } {
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [connected, setConnected] = useState(false);
  const buf = useRef<LogEntry[]>([]);
  const key = JSON.stringify(query);
  useEffect(() => {
    buf.current = [];
    setEntries([]);
    const params = new URLSearchParams({ tail: '1', format: 'sse' });
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    const es = new EventSource(`/v1/apps/${encodeURIComponent(app)}/logs?${params.toString()}`);
    let pending = false;
    es.onopen = () => setConnected(true);
    es.onerror = () => setConnected(false);
    es.onmessage = (ev: MessageEvent<string>) => {
      buf.current.push(JSON.parse(ev.data) as LogEntry);
      if (buf.current.length > max) buf.current.splice(0, buf.current.length - max);
      // one render per frame however fast lines come
      if (!pending) {
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          setEntries([...buf.current]);
        });
      }
    };
    return () => es.close();
  }, [app, key, max]);
  return { entries, connected };
}
