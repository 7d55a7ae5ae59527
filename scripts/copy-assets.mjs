#!/usr/bin/env node
// Copies non-TypeScript runtime assets from src/ into dist/ after tsc (tsc only emits .js).
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const rel of ['threats/data']) {
  mkdirSync(join(root, 'dist', rel), { recursive: true });
  cpSync(join(root, 'src', rel), join(root, 'dist', rel), { recursive: true });
}
