import { useEffect, useState } from 'preact/hooks';

/** The dashboard's pages, from the location's path. */
export type Route = { page: 'login' } | { page: 'apps' } | { page: 'app'; app: string; tab: 'overview' | 'metrics' | 'logs' };

export function parseRoute(path: string): Route {
  if (path === '/login') return { page: 'login' };
  const m = /^\/apps\/([a-z0-9-]+)(?:\/(metrics|logs))?\/?$/.exec(path);
  if (m) return { page: 'app', app: m[1] as string, tab: (m[2] as 'metrics' | 'logs' | undefined) ?? 'overview' };
  return { page: 'apps' };
}

export function navigate(path: string): void {
  if (location.pathname === path) return;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const on = (): void => setRoute(parseRoute(location.pathname));
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return route;
}

/** Plain links route in the page (the server answers every page path with the same shell, so they also work when opened anew). */
export function interceptLinks(): void {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.origin !== location.origin || !a.pathname.startsWith('/')) return;
    e.preventDefault();
    navigate(a.pathname);
  });
}
