// The budget: the portal's first page loads at most 250 KB of JavaScript, gzip-compressed.
// Run after `vite build`: prints what index.html pulls in (entry and preloaded chunks) and fails above it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 250 * 1024;
const dist = join(import.meta.dirname, '..', '..', 'dist', 'portal');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const files = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/portal\/([^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const file of files) {
  const gzip = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += gzip;
  console.log(`portal initial JS: ${file} ${(gzip / 1024).toFixed(1)} KB gzip`);
}
console.log(`portal initial JS total: ${(total / 1024).toFixed(1)} KB gzip (budget ${BUDGET / 1024} KB)`);
if (files.length === 0 || total > BUDGET) {
  console.error(files.length === 0 ? 'no script found in dist/portal/index.html' : 'over the budget: lazy-load a screen or drop a dependency');
  process.exit(1);
}
