/**
 * The lesson ids nearest to one that was mistyped, for "did you mean …?".
 * An id that contains what was typed (or is contained in it) comes first,
 * then the ones a few edits away, compared with the id and with each of its
 * dash-separated parts (so "retr" finds "rfc1939-retr"). Pure.
 */

/** Up to `limit` ids, nearest first. */
export function nearestIds(typed: string, ids: readonly string[], limit = 5): string[] {
  const target = typed.toLowerCase();
  const scored: [string, number][] = [];
  for (const id of ids) {
    const name = id.toLowerCase();
    const parts = name.split('-');
    let score: number;
    if (name.includes(target) || (target.length >= 4 && target.includes(name))) score = 0;
    else {
      const whole = editDistance(target, name) / Math.max(target.length, name.length);
      const part = Math.min(...parts.map((piece) => editDistance(target, piece) / Math.max(target.length, piece.length)));
      score = Math.min(whole, part + 0.1);
    }
    if (score <= 0.5) scored.push([id, score]);
  }
  return scored
    .sort(([a, x], [b, y]) => x - y || a.localeCompare(b))
    .slice(0, limit)
    .map(([id]) => id);
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
