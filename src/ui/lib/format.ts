/** Formatting of instants, durations and rates for the dashboard (all Intl, no dependency). */

export const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string, style: 'full' | 'time' | 'date'): Intl.DateTimeFormat {
  const key = `${zone}|${style}`;
  let found = formatters.get(key);
  if (!found) {
    const options: Intl.DateTimeFormatOptions =
      style === 'time'
        ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : style === 'date'
          ? { year: 'numeric', month: 'short', day: 'numeric' }
          : {
              weekday: 'short',
              month: 'short',
              day: 'numeric',
              hour: '2-digit',
              minute: '2-digit',
              second: '2-digit',
              hourCycle: 'h23',
            };
    try {
      found = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: zone });
    } catch {
      found = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' });
    }
    formatters.set(key, found);
  }
  return found;
}

/** `Mon 6 Jan, 09:00:00` in the given zone. */
export function formatInstant(iso: string | null | undefined, zone: string = viewerZone): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return formatter(zone, 'full').format(date);
}

const shortFormatters = new Map<string, Intl.DateTimeFormat>();

/** `01:25:40` for today, `21 Nov 01:25` otherwise: for dense tables. */
export function formatShort(iso: string | null | undefined, zone: string = viewerZone, now = Date.now()): string {
  if (!iso) return '—';
  const date = new Date(iso);
  const day = (d: Date) => formatter(zone, 'date').format(d);
  const sameDay = day(date) === day(new Date(now));
  const key = `${zone}|${sameDay}`;
  let found = shortFormatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      ...(sameDay
        ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
        : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }),
    } as Intl.DateTimeFormatOptions);
    shortFormatters.set(key, found);
  }
  return found.format(date);
}

export function formatTime(iso: string | null | undefined, zone: string = viewerZone): string {
  if (!iso) return '—';
  return formatter(zone, 'time').format(new Date(iso));
}

/** The short name of a zone at an instant (`EST`, `GMT+2`). */
export function zoneAbbreviation(iso: string, zone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' }).formatToParts(
      new Date(iso),
    );
    return parts.find((part) => part.type === 'timeZoneName')?.value ?? zone;
  } catch {
    return zone;
  }
}

/** `2h 03m`, `45s`, `3d 4h`: a coarse span for countdowns and ages. */
export function formatSpan(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** `in 2h 03m` / `now`. */
export function formatCountdown(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const ms = new Date(iso).getTime() - now;
  if (ms <= 500) return 'due now';
  return `in ${formatSpan(ms)}`;
}

/** `3m ago`, `just now`, `in 5m`. */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const ms = now - new Date(iso).getTime();
  if (Math.abs(ms) < 5_000) return 'just now';
  return ms > 0 ? `${formatSpan(ms)} ago` : `in ${formatSpan(-ms)}`;
}

/** `350 ms`, `1.2 s`, `2m 03s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatSpan(ms);
}

export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  const value = rate <= 1 ? rate * 100 : rate;
  return `${value >= 99.95 || value === 0 ? value.toFixed(0) : value.toFixed(1)}%`;
}

/** Milliseconds between two instants, or null. */
export function between(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  return new Date(to).getTime() - new Date(from).getTime();
}

/** JSON for display: strings as they are, everything else pretty-printed. */
export function pretty(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : '—';
}

/** "1 run", "3 runs": a count with its noun in the right number. */
export function countOf(count: number, noun: string): string {
  return `${count.toLocaleString()} ${noun}${count === 1 ? '' : 's'}`;
}

/** A token count, grouped (12,345), or compact past a million (1.2M). */
export function formatCount(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n.toLocaleString('en-US');
}

/** Money from the server's price table (no currency is configured: a plain amount). */
export function formatCost(amount: number | null | undefined): string {
  if (amount === null || amount === undefined) return '—';
  return amount < 0.01 && amount > 0 ? `$${amount.toFixed(4)}` : `$${amount.toFixed(2)}`;
}
