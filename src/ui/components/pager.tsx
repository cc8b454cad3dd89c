/** Previous/next paging for `{limit, offset, total}` lists. */
export function Pager({
  offset,
  limit,
  total,
  onChange,
  labels = ['← Newer', 'Older →'],
}: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
  /** The previous and next buttons (runs: newer and older). */
  labels?: [string, string];
}) {
  if (total <= limit && offset === 0) return null;
  const end = Math.min(total, offset + limit);
  return (
    <nav className="pager" aria-label="Pages">
      <span className="muted small">
        {total === 0 ? 0 : (offset + 1).toLocaleString('en-US')}–{end.toLocaleString('en-US')} of{' '}
        {total.toLocaleString('en-US')}
      </span>
      <button
        type="button"
        className="button small"
        disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - limit))}
      >
        {labels[0]}
      </button>
      <button type="button" className="button small" disabled={end >= total} onClick={() => onChange(offset + limit)}>
        {labels[1]}
      </button>
    </nav>
  );
}
