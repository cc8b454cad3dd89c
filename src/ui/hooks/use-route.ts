import { useEffect, useState } from 'react';

/**
 * Hash routing (`#/schedules/…`): the server's own paths (`/runs`, `/assistants`, `/threads` are
 * LangGraph-compatible API routes) never collide with the dashboard's.
 */
export interface Route {
  path: string;
  segments: string[];
  params: URLSearchParams;
}

function current(): Route {
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = hash.split('?');
  return {
    path,
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(query),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function navigate(path: string): void {
  window.location.hash = path;
}

/** Replaces the query of the current route without adding a history entry. */
export function setQuery(values: Record<string, string | undefined>): void {
  const { path, params } = current();
  for (const [key, value] of Object.entries(values)) {
    if (value) params.set(key, value);
    else params.delete(key);
  }
  const text = params.toString();
  window.history.replaceState(null, '', `#${path}${text ? `?${text}` : ''}`);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function href(path: string): string {
  return `#${path}`;
}
