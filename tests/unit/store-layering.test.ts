/**
 * The store persists and reads; the inventory decides (issue 11). No module of src/store may import a diff, a
 * guess or any other domain rule: what it may take from src/inventory at run time is listed here, each a row-level
 * helper (normalise a MAC, clean a hostname, validate a stored kind, the display name a finding row carries).
 * Type-only imports are free.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const STORE = join(import.meta.dirname, '../../src/store');
const ALLOWED: Record<string, readonly string[]> = {
  'kinds.js': ['isDeviceKind'],
  'mac.js': ['normalizeMac'],
  'text.js': ['cleanHostname'],
  'types.js': ['displayName'],
};

function storeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? storeFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Run-time names each store file imports from src/inventory: `file → [module, name]`. */
function inventoryImports(file: string): Array<[string, string]> {
  const src = readFileSync(file, 'utf8');
  const out: Array<[string, string]> = [];
  for (const m of src.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(?:\.\.\/)+inventory\/([^']+)'/g)) {
    if (m[1]) continue;
    for (const part of (m[2] ?? '').split(',')) {
      const name = part.trim();
      if (name === '' || name.startsWith('type ')) continue;
      out.push([m[3] ?? '', name.split(/\s+as\s+/)[0] ?? name]);
    }
  }
  for (const m of src.matchAll(/import\s+\*\s+as\s+\w+\s+from\s+'(?:\.\.\/)+inventory\/([^']+)'/g))
    out.push([m[1] ?? '', '*']);
  return out;
}

describe('store layering', () => {
  it('no store module calls the inventory’s domain logic (diffs, kind guesses, sightings)', () => {
    const bad: string[] = [];
    for (const file of storeFiles(STORE)) {
      for (const [mod, name] of inventoryImports(file)) {
        if (!ALLOWED[mod]?.includes(name))
          bad.push(`${file.slice(STORE.length + 1)}: ${name} from inventory/${mod}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
