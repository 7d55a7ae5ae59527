import { readFileSync } from 'node:fs';

/** The package version (kept equal to config.yaml's by a test). */
export const VERSION: string = (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const p = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (p.name === 'lan-sentinel' && p.version) return p.version;
    } catch {
      // try the next location (src/ under tsx, dist/ when built)
    }
  }
  return '0.0.0';
})();
