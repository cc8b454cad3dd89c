import { viewerZone, zoneAbbreviation } from '../lib/format.ts';

/** Small inline-SVG charts: no chart library, colours from CSS variables, titles for screen readers. */

export interface Segment {
  value: number;
  className: string;
  label: string;
}

export interface Bar {
  label: string;
  segments: Segment[];
}

/**
 * Stacked bars (runs per hour by status, success/failure per day), oldest on the left. The axis
 * names the first bar's start and the end of the window (`end`, e.g. "now"), with the zone.
 */
export function StackedBars({
  bars,
  title,
  height = 120,
  end = 'now',
  empty = 'No runs in this window.',
}: {
  bars: Bar[];
  title: string;
  height?: number;
  end?: string;
  empty?: string;
}) {
  const runs = bars.reduce((sum, bar) => sum + bar.segments.reduce((s, segment) => s + segment.value, 0), 0);
  if (runs === 0)
    return (
      <p className="muted small chart-empty" data-testid="chart-empty">
        {empty}
      </p>
    );
  const max = Math.max(1, ...bars.map((bar) => bar.segments.reduce((sum, segment) => sum + segment.value, 0)));
  const width = 100 / Math.max(1, bars.length);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 100 ${height}`} preserveAspectRatio="none" role="img" aria-label={title} style={{ height }}>
        <title>{title}</title>
        <line x1="0" x2="100" y1={height - 0.5} y2={height - 0.5} className="axis" />
        {bars.map((bar, index) => {
          let y = height;
          const total = bar.segments.reduce((sum, segment) => sum + segment.value, 0);
          return (
            <g key={index}>
              <title>{`${bar.label}: ${total} ${bar.segments.map((s) => `${s.label} ${s.value}`).join(', ')}`}</title>
              <rect x={index * width} y={0} width={width} height={height} className="hit" />
              {bar.segments.map((segment) => {
                const h = (segment.value / max) * (height - 4);
                y -= h;
                return segment.value > 0 ? (
                  <rect
                    key={segment.label}
                    x={index * width + width * 0.15}
                    width={width * 0.7}
                    y={y}
                    height={h}
                    className={segment.className}
                    rx="0.6"
                  />
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-axis" data-testid="chart-axis">
        <span>{bars[0]?.label}</span>
        <span aria-hidden="true">time →</span>
        <span>
          {end} ({zoneAbbreviation(new Date().toISOString(), viewerZone)})
        </span>
      </figcaption>
    </figure>
  );
}

export interface Point {
  x: number;
  y: number;
  className?: string;
  label?: string;
}

/** Points joined by a line (run duration over time), failures drawn as red dots. */
export function LineChart({
  points,
  title,
  format,
  height = 120,
}: {
  points: Point[];
  title: string;
  format: (y: number) => string;
  height?: number;
}) {
  if (points.length === 0) return <p className="muted small">No data yet.</p>;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [minX, maxX] = [Math.min(...xs), Math.max(...xs)];
  const maxY = Math.max(1, ...ys);
  const sx = (x: number) => (maxX === minX ? 50 : 2 + ((x - minX) / (maxX - minX)) * 96);
  const sy = (y: number) => height - 6 - (y / maxY) * (height - 16);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(2)},${sy(p.y).toFixed(2)}`).join(' ');
  return (
    <figure className="chart">
      <div className="chart-max">{format(maxY)}</div>
      <svg viewBox={`0 0 100 ${height}`} preserveAspectRatio="none" role="img" aria-label={title} style={{ height }}>
        <title>{title}</title>
        <line x1="0" x2="100" y1={height - 0.5} y2={height - 0.5} className="axis" />
        <path d={path} className="line" vectorEffect="non-scaling-stroke" />
        {points.map((p, i) => (
          // A zero-length stroke with round caps stays a round dot however the chart is stretched.
          <path
            key={i}
            d={`M${sx(p.x).toFixed(2)},${sy(p.y).toFixed(2)}h0`}
            className={p.className ?? 'point'}
            vectorEffect="non-scaling-stroke"
          >
            <title>{p.label ?? format(p.y)}</title>
          </path>
        ))}
      </svg>
    </figure>
  );
}

/** A horizontal meter (success rate, a reason's share). */
export function Meter({
  value,
  label,
  className = 'fill-success',
}: {
  value: number;
  label: string;
  className?: string;
}) {
  const pct = Math.max(0, Math.min(1, value)) * 100;
  return (
    <div
      className="meter"
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct)}
    >
      <div className={className} style={{ width: `${pct}%` }} />
    </div>
  );
}
