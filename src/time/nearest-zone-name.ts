/**
 * The zone name closest to a mistyped one (`Europe/Pari` → `Europe/Paris`, `new york` →
 * `America/New_York`), compared whole and by its city part, case-insensitively; undefined when
 * nothing is close enough to be a likely typo.
 */
export function nearestZoneName(input: string, names: readonly string[]): string | undefined {
  const wanted = normalise(input);
  if (wanted === '') return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const whole = normalise(name);
    const city = whole.slice(whole.lastIndexOf('/') + 1);
    const distance = Math.min(
      editDistance(wanted, whole),
      wanted.includes('/') ? Infinity : editDistance(wanted, city),
    );
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  const allowed = Math.max(1, Math.floor(wanted.length / 4));
  return best.distance <= allowed ? best.name : undefined;
}

function normalise(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
