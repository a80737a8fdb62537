#!/usr/bin/env node
// Generates, before every `docusaurus build` / `start`, the pages that must come
// from the code and never be copied by hand:
//   - the webhook event reference, from ../docs/webhook-events.schema.json
//   - the API reference, from ../docs/openapi.json (OpenAPI 3)
// for each locale. WEBHOOK_SCHEMA_FILE and OPENAPI_FILE override the paths.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABELS } from './lib/labels.js';
import { renderApiReference } from './lib/openapi-pages.js';
import { renderWebhookEvents } from './lib/webhook-events.js';

const SITE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = resolve(SITE, '..');
const WEBHOOK_SCHEMA = resolve(process.env.WEBHOOK_SCHEMA_FILE ?? join(REPO, 'docs', 'webhook-events.schema.json'));
const OPENAPI = resolve(process.env.OPENAPI_FILE ?? join(REPO, 'docs', 'openapi.json'));

// Where each locale's docs live (the default locale, French, in docs/).
const LOCALE_DIRS = {
  fr: join(SITE, 'docs'),
  en: join(SITE, 'i18n', 'en', 'docusaurus-plugin-content-docs', 'current'),
};

function fail(message) {
  console.error(`\n[docs] ${message}\n`);
  process.exit(1);
}

function readJson(file, what, howToMake) {
  if (!existsSync(file)) fail(`${what} not found at ${file}.\n[docs] ${howToMake}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`${what} at ${file} is not valid JSON: ${err.message}`);
  }
}

const events = readJson(
  WEBHOOK_SCHEMA,
  'The webhook event schemas (docs/webhook-events.schema.json)',
  'It is generated from libs/webhooks/src/partner-events.ts: run `UPDATE_DOCS=1 npx jest libs/webhooks/src/partner-events.spec.ts` at the repository root.',
);
const openapi = readJson(
  OPENAPI,
  'The OpenAPI document of the API (docs/openapi.json)',
  'The API reference is generated from it: docs/openapi.json must be the OpenAPI 3 JSON document the api generates from its code (served at GET /openapi.json). Set OPENAPI_FILE to build from another file.',
);

for (const [locale, dir] of Object.entries(LOCALE_DIRS)) {
  const t = LABELS[locale];
  try {
    write(join(dir, '_generated', 'webhook-events.mdx'), renderWebhookEvents(events, t));
  } catch (err) {
    fail(`cannot render ${WEBHOOK_SCHEMA}: ${err.message}`);
  }
  const apiDir = join(dir, 'api-reference');
  rmSync(apiDir, { recursive: true, force: true }); // a removed tag must not leave a stale page
  try {
    for (const [name, content] of Object.entries(renderApiReference(openapi, t))) write(join(apiDir, name), content);
  } catch (err) {
    fail(`cannot render ${OPENAPI}: ${err.message}`);
  }
}
console.log(`[docs] webhook events from ${relative(REPO, WEBHOOK_SCHEMA)}, API reference from ${relative(REPO, OPENAPI)}: generated for ${Object.keys(LOCALE_DIRS).join(', ')}`);

function write(file, content) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}
