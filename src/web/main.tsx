import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { logout, resume, setUnauthorizedHandler } from './api.js';
import { AppPage } from './pages/app.js';
import { AppsPage } from './pages/apps.js';
import { LoginPage } from './pages/login.js';
import { interceptLinks, navigate, useRoute } from './router.js';

function Dashboard() {
  const route = useRoute();
  const [authed, setAuthed] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    setUnauthorizedHandler(() => setAuthed(false));
    void resume().then(setAuthed, () => setAuthed(false));
  }, []);
  useEffect(() => {
    if (authed === false && route.page !== 'login') navigate('/login');
    if (authed === true && route.page === 'login') navigate('/');
  }, [authed, route.page]);

  if (authed === undefined) return <p class="loading">Loading…</p>;
  if (!authed || route.page === 'login') return <LoginPage onLogin={() => setAuthed(true)} />;
  return (
    <>
      <header class="top">
        <a href="/" class="brand">
          Slipway
        </a>
        <nav aria-label="Main">
          <a href="/">Apps</a>
        </nav>
        <button type="button" class="link" onClick={() => void logout().then(() => setAuthed(false))}>
          Log out
        </button>
      </header>
      <main id="main">{route.page === 'app' ? <AppPage app={route.app} tab={route.tab} /> : <AppsPage />}</main>
    </>
  );
}

interceptLinks();
render(<Dashboard />, document.getElementById('root') as HTMLElement);
