import { CatalogProvider } from './components/catalog.tsx';
import { RunDrawerProvider, useOpenRun } from './components/run-drawer.tsx';
import { SessionProvider, useSession } from './components/session.tsx';
import { ToastProvider } from './components/toasts.tsx';
import { href, useRoute, type Route } from './hooks/use-route.ts';
import { AssistantsPage } from './pages/assistants-page.tsx';
import { OverviewPage } from './pages/overview-page.tsx';
import { RunsPage } from './pages/runs-page.tsx';
import { ScheduleDetailPage } from './pages/schedule-detail-page.tsx';
import { ScheduleFormPage } from './pages/schedule-form-page.tsx';
import { SchedulesPage } from './pages/schedules-page.tsx';
import { ThreadPage } from './pages/thread-page.tsx';
import { useEffect } from 'react';

const nav = [
  { path: '/', label: 'Overview', icon: '◎' },
  { path: '/schedules', label: 'Schedules', icon: '⏱' },
  { path: '/runs', label: 'Runs', icon: '▶' },
  { path: '/assistants', label: 'Assistants', icon: '◆' },
];

function Page({ route }: { route: Route }) {
  const [section, id, action] = route.segments;
  const openRun = useOpenRun();
  useEffect(() => {
    if (section === 'runs' && id) openRun(id);
  }, [section, id, openRun]);
  switch (section) {
    case undefined:
      return <OverviewPage />;
    case 'schedules':
      if (id === 'new') return <ScheduleFormPage key="new" />;
      if (id && action === 'edit') return <ScheduleFormPage key={`edit-${id}`} scheduleId={id} />;
      if (id && action === 'duplicate') return <ScheduleFormPage key={`dup-${id}`} scheduleId={id} duplicate />;
      if (id) return <ScheduleDetailPage scheduleId={id} />;
      return <SchedulesPage route={route} />;
    case 'runs':
      return <RunsPage route={route} />;
    case 'assistants':
      return <AssistantsPage route={route} />;
    case 'threads':
      return id ? <ThreadPage threadId={id} /> : <OverviewPage />;
    default:
      return (
        <div className="page">
          <h1>Page not found</h1>
          <p>
            <a href={href('/')}>Back to the overview</a>
          </p>
        </div>
      );
  }
}

function Shell() {
  const route = useRoute();
  const { me, hasKey, signOut } = useSession();
  const active = '/' + (route.segments[0] ?? '');
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="sidebar">
        <a className="brand" href={href('/')} aria-label="Kairos home">
          <span className="logo" aria-hidden="true" />
          <span>Kairos</span>
        </a>
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.path}>
                <a href={href(item.path)} className={active === item.path ? 'nav-link active' : 'nav-link'} aria-current={active === item.path ? 'page' : undefined}>
                  <span className="nav-icon" aria-hidden="true">
                    {item.icon}
                  </span>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-foot">
          {me && (
            <div className="who" title={`Signed in as ${me.name} (${me.role})`}>
              <span className="avatar" aria-hidden="true">
                {me.name.slice(0, 1).toUpperCase()}
              </span>
              <span>
                {me.name}
                <span className="muted small"> · {me.role}</span>
              </span>
            </div>
          )}
          {hasKey && (
            <button type="button" className="link-button small" onClick={signOut}>
              Forget key
            </button>
          )}
          <a className="muted small" href="/api/docs" target="_blank" rel="noreferrer">
            API docs ↗
          </a>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </div>
  );
}

/** The dashboard: session (key prompt), shared data, toasts and the run drawer around the pages. */
export function App() {
  return (
    <ToastProvider>
      <SessionProvider>
        <CatalogProvider>
          <RunDrawerProvider>
            <Shell />
          </RunDrawerProvider>
        </CatalogProvider>
      </SessionProvider>
    </ToastProvider>
  );
}
