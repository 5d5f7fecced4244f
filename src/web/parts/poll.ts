import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.js';

/** Loads now and every `everyMs` while mounted (and while the tab is visible); `reload` after a change. */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[] = []): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(() => {
    loadRef.current().then(
      (d) => {
        setData(d);
        setError(undefined);
      },
      (err: unknown) => setError(err instanceof ApiError ? err.message : String(err)),
    );
  }, []);
  useEffect(() => {
    setData(undefined);
    reload();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, everyMs);
    return () => clearInterval(timer);
  }, deps);
  return { data, error, reload };
}
