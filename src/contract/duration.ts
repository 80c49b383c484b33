/**
 * Go-style durations as OpenBao accepts them ("90s", "1h30m", "2h"). Plain integers are
 * seconds, as in OpenBao. Fractions below one second are not meaningful for tokens and
 * are rejected.
 */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const DURATION = /^(?:\d+[hms])+$/;

export function parseDurationSeconds(value: string): number | undefined {
  if (/^\d{1,9}$/.test(value)) return Number(value);
  if (value.length > 32 || !DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)([hms])/g)) {
    total += Number(amount) * (UNIT_SECONDS[unit as string] ?? 0);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest Go-style spelling of a number of seconds: 7200 → "2h", 90 → "1m30s". */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
