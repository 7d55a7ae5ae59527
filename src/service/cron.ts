/**
 * Next run time of a five-field cron expression (minute hour day-of-month month day-of-week; numbers,
 * ranges, lists, steps, `*`), in local time like node-cron. When both day fields are restricted a day
 * matches either (classic cron). Pure.
 */
const LIMITS: Array<[number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

function field(text: string, [lo, hi]: [number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '*', stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    let a = lo;
    let b = hi;
    if (range !== '*') {
      const [x, y] = range.split('-');
      a = Number(x);
      b = y !== undefined ? Number(y) : stepText ? hi : a;
    }
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return out;
}

export function nextCronRun(expr: string, from: Date): Date | null {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return null;
  const [min, hour, dom, mon, dow] = parts.map((p, i) => field(p, LIMITS[i]!)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  if (dow.has(7)) dow.add(0);
  const domAny = parts[2] === '*';
  const dowAny = parts[4] === '*';
  const t = new Date(from.getTime());
  t.setSeconds(0, 0);
  t.setMinutes(t.getMinutes() + 1);
  // at most ~4 years of minutes, skipping whole hours/days that cannot match
  for (let guard = 0; guard < 600_000; guard++) {
    if (!mon.has(t.getMonth() + 1)) {
      t.setMonth(t.getMonth() + 1, 1);
      t.setHours(0, 0, 0, 0);
      continue;
    }
    const dayOk =
      domAny && dowAny
        ? true
        : domAny
          ? dow.has(t.getDay())
          : dowAny
            ? dom.has(t.getDate())
            : dom.has(t.getDate()) || dow.has(t.getDay());
    if (!dayOk) {
      t.setDate(t.getDate() + 1);
      t.setHours(0, 0, 0, 0);
      continue;
    }
    if (!hour.has(t.getHours())) {
      t.setHours(t.getHours() + 1, 0, 0, 0);
      continue;
    }
    if (min.has(t.getMinutes())) return t;
    t.setMinutes(t.getMinutes() + 1, 0, 0);
  }
  return null;
}
