import { createContext, useCallback, useContext, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, getApiKey, onUnauthorized, setApiKey } from '../api/client.ts';
import { usersApi } from '../api/endpoints.ts';
import type { User } from '../../sdk/index.ts';
import { refreshAll } from '../hooks/use-poll.ts';
import { Dialog } from './dialog.tsx';

interface Session {
  me: User | undefined;
  /** Whether the caller may change things (not a viewer). */
  canWrite: boolean;
  hasKey: boolean;
  signOut: () => void;
}

const SessionContext = createContext<Session>({
  me: undefined,
  canWrite: true,
  hasKey: false,
  signOut: () => undefined,
});

/**
 * Who the dashboard acts as. In local mode the API answers without a key; with keys configured a
 * 401 opens the key prompt, and the key is kept in sessionStorage for this tab's session.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<User>();
  const [asking, setAsking] = useState(false);
  const [hasKey, setHasKey] = useState(() => Boolean(getApiKey()));

  const loadMe = useCallback(() => {
    usersApi.me().then(
      (user) => {
        setMe(user);
        setAsking(false);
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) setAsking(true);
      },
    );
  }, []);

  useEffect(() => {
    loadMe();
    return onUnauthorized(() => setAsking(true));
  }, [loadMe]);

  const signOut = useCallback(() => {
    setApiKey(null);
    setHasKey(false);
    setMe(undefined);
    setAsking(true);
  }, []);

  return (
    <SessionContext.Provider value={{ me, canWrite: me ? me.role !== 'viewer' : true, hasKey, signOut }}>
      {children}
      <KeyPrompt
        open={asking}
        onKey={async (key) => {
          setApiKey(key);
          try {
            const user = await usersApi.me();
            setMe(user);
            setHasKey(true);
            setAsking(false);
            refreshAll();
            return undefined;
          } catch (error) {
            setApiKey(null);
            return error instanceof ApiError && error.status === 401
              ? 'That key was not accepted.'
              : (error as Error).message;
          }
        }}
      />
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  return useContext(SessionContext);
}

function KeyPrompt({ open, onKey }: { open: boolean; onKey: (key: string) => Promise<string | undefined> }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(await onKey(key.trim()));
    setBusy(false);
  };
  return (
    <Dialog open={open} title="API key required" onClose={() => undefined}>
      <form onSubmit={submit} className="stack">
        <p>
          This Kairos server has API keys configured. Enter a key to continue; it is kept for this browser session only.
        </p>
        <div className={`field ${error ? 'has-error' : ''}`}>
          <label htmlFor="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            placeholder="kairos_…"
            value={key}
            onChange={(event) => setKey(event.target.value)}
            aria-invalid={error ? true : undefined}
            autoFocus
          />
          {error && (
            <div className="field-error" role="alert">
              {error}
            </div>
          )}
        </div>
        <footer className="modal-actions">
          <button type="submit" className="button primary" disabled={!key.trim() || busy}>
            {busy ? 'Checking…' : 'Continue'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
