import { CatalogProvider } from './components/catalog.tsx';
import { RunDrawerProvider, useOpenRun } from './components/run-drawer.tsx';
import { SessionProvider, useSession } from './components/session.tsx';
import { ToastProvider } from './components/toasts.tsx';
import { href, navigate, useRoute, type Route } from './hooks/use-route.ts';
import { AssistantsPage } from './pages/assistants-page.tsx';
import { ConnectAgentPage } from './pages/connect-agent-page.tsx';
import { OverviewPage } from './pages/overview-page.tsx';
import { RunsPage } from './pages/runs-page.tsx';
import { ScheduleDetailPage } from './pages/schedule-detail-page.tsx';
import { ScheduleFormPage } from './pages/schedule-form-page.tsx';
import { SchedulesPage } from './pages/schedules-page.tsx';
import { ThreadPage } from './pages/thread-page.tsx';
import { WorkflowsPage } from './pages/workflows-page.tsx';
import { TriggersPage } from './pages/triggers-page.tsx';
import { ProvidersPage } from './pages/providers-page.tsx';
import { InboxPage } from './pages/inbox-page.tsx';
import { usePendingApprovalCount } from './hooks/use-pending-approvals.ts';
import { useEffect } from 'react';

const icons: Record<string, string> = {
  overview: 'M3 13h8V3H3zm0 8h8v-6H3zm10 0h8V11h-8zm0-18v6h8V3z',
  schedules: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 3v6l5 3 1-1.7-4-2.3V7z',
  runs: 'M8 5v14l11-7z',
  workflows: 'M4 3h6v6H4zm10 0h6v6h-6zM9 15h6v6H9zM7 9v3h10V9h-2v1H9V9zm4 3h2v3h-2z',
  assistants: 'M12 2 2 7l10 5 10-5zm-10 10 10 5 10-5M2 17l10 5 10-5',
  connect:
    'M10.6 13.4a1 1 0 0 1 0-1.4l3-3a3 3 0 1 1 4.2 4.2l-2 2-1.4-1.4 2-2a1 1 0 1 0-1.4-1.4l-3 3a1 1 0 0 1-1.4 0zm2.8-2.8a1 1 0 0 1 0 1.4l-3 3a3 3 0 1 1-4.2-4.2l2-2 1.4 1.4-2 2a1 1 0 1 0 1.4 1.4l3-3a1 1 0 0 1 1.4 0z',
  triggers: 'M13 2 3 14h7l-1 8 10-12h-7z',
  providers: 'M4 4h16v4H4zm0 6h16v4H4zm0 6h16v4H4z',
  inbox: 'M19 3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm0 12h-4a3 3 0 0 1-6 0H5V5h14z',
};

const nav = [
  { path: '/', label: 'Overview', icon: icons.overview! },
  { path: '/schedules', label: 'Schedules', icon: icons.schedules! },
  { path: '/runs', label: 'Runs', icon: icons.runs! },
  { path: '/inbox', label: 'Inbox', icon: icons.inbox! },
  { path: '/workflows', label: 'Workflows', icon: icons.workflows! },
  { path: '/assistants', label: 'Assistants', icon: icons.assistants! },
  { path: '/connect', label: 'Connect an agent', icon: icons.connect! },
  { path: '/triggers', label: 'Triggers', icon: icons.triggers! },
  { path: '/providers', label: 'Providers', icon: icons.providers! },
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
    case 'workflows':
      return <WorkflowsPage key={id ?? 'list'} workflowId={id} />;
    case 'assistants':
      return <AssistantsPage route={route} />;
    case 'connect':
      return <ConnectAgentPage />;
    case 'triggers':
      return <TriggersPage />;
    case 'providers':
      return <ProvidersPage />;
    case 'inbox':
      return <InboxPage />;
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

/** `/` focuses the page's search or first filter; `n` opens a new schedule. Ignored while typing. */
function useShortcuts(canWrite: boolean) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector('dialog[open]')) return;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      if (event.key === '/') {
        const search = document.querySelector<HTMLElement>('.main input[type="search"], .main .toolbar select');
        if (search) {
          event.preventDefault();
          search.focus();
        }
      } else if (event.key === 'n' && canWrite) {
        navigate('/schedules/new');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canWrite]);
}

function Shell() {
  const route = useRoute();
  const { me, hasKey, signOut, canWrite } = useSession();
  useShortcuts(canWrite);
  const pendingApprovals = usePendingApprovalCount(me !== undefined);
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
                <a
                  href={href(item.path)}
                  className={active === item.path ? 'nav-link active' : 'nav-link'}
                  aria-current={active === item.path ? 'page' : undefined}
                >
                  <svg className="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d={item.icon} />
                  </svg>
                  {item.label}
                  {item.path === '/inbox' && pendingApprovals ? (
                    <span className="badge alert" data-testid="inbox-badge" aria-label={`${pendingApprovals} pending`}>
                      {pendingApprovals}
                    </span>
                  ) : null}
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
