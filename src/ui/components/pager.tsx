/** Previous/next paging for `{limit, offset, total}` lists. */
export function Pager({
  offset,
  limit,
  total,
  onChange,
}: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
}) {
  if (total <= limit && offset === 0) return null;
  const end = Math.min(total, offset + limit);
  return (
    <nav className="pager" aria-label="Pages">
      <span className="muted small">
        {total === 0 ? 0 : offset + 1}–{end} of {total}
      </span>
      <button
        type="button"
        className="button small"
        disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - limit))}
      >
        ← Newer
      </button>
      <button type="button" className="button small" disabled={end >= total} onClick={() => onChange(offset + limit)}>
        Older →
      </button>
    </nav>
  );
}
