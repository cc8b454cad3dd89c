import { pretty } from '../lib/format.ts';

/** A read-only block of JSON or text, scrollable, selectable. */
export function JsonView({ value, label, empty = 'None' }: { value: unknown; label: string; empty?: string }) {
  const text = pretty(value);
  if (value === null || value === undefined || text === '') return <p className="muted small">{empty}</p>;
  return (
    <pre className="code" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}
