/**
 * The file-size histogram of src/ (issue 11's measure of "small modules"): lines per .ts file, median, p90,
 * max, a histogram by 100 lines, and the files over 400 lines, with the data tables marked (a file whose
 * bulk is one literal table: counted, but not a module to split). Run: `npx tsx scripts/file-sizes.ts [dir]`.
 * Not shipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const DIR = join(ROOT, process.argv[2] ?? 'src');
const LIMIT = 400;
/** Files whose bulk is a literal data table, and which table. */
const DATA_TABLES: Record<string, string> = {
  'src/threats/portRules.ts': 'PORT_RULES',
  'src/inventory/kinds.ts': 'KIND_PATTERNS',
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Lines as `wc -l` counts them (newline characters). */
function lines(file: string): number {
  const text = readFileSync(file, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The lines a table literal `export const NAME … = [` spans, up to its closing `];`. */
function tableLines(file: string, name: string): number {
  const rows = readFileSync(file, 'utf8').split('\n');
  const start = rows.findIndex((l) => new RegExp(`^export const ${name}\\b`).test(l));
  if (start < 0) return 0;
  const end = rows.findIndex((l, i) => i > start && /^\];/.test(l));
  return end < 0 ? 0 : end - start + 1;
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? 0;
}

const files = tsFiles(DIR)
  .map((f) => ({ path: relative(ROOT, f), lines: lines(f) }))
  .sort((a, b) => a.lines - b.lines);
const sizes = files.map((f) => f.lines);
const total = sizes.reduce((a, b) => a + b, 0);
console.log(`${files.length} files, ${total} lines in ${relative(ROOT, DIR)}/`);
console.log(
  `median ${quantile(sizes, 0.5)}, p90 ${quantile(sizes, 0.9)}, max ${sizes.at(-1)} (${files.at(-1)?.path})`,
);
const buckets = new Map<number, number>();
for (const n of sizes) buckets.set(Math.floor(n / 100), (buckets.get(Math.floor(n / 100)) ?? 0) + 1);
for (const [b, n] of [...buckets].sort((x, y) => x[0] - y[0]))
  console.log(
    `${String(b * 100).padStart(4)}-${String(b * 100 + 99).padEnd(4)} ${String(n).padStart(4)} ${'#'.repeat(n)}`,
  );
const over = files.filter((f) => f.lines > LIMIT).reverse();
console.log(`over ${LIMIT} lines: ${over.length}`);
for (const f of over) {
  const table = DATA_TABLES[f.path];
  const note = table ? ` (data table ${table}: ${tableLines(join(ROOT, f.path), table)} lines)` : '';
  console.log(`  ${String(f.lines).padStart(4)} ${f.path}${note}`);
}
const code = over.filter((f) => !DATA_TABLES[f.path]);
console.log(`over ${LIMIT} lines, not counting data tables: ${code.length}`);
