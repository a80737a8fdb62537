import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { load } from 'js-yaml';

export const ROOT = join(__dirname, '..', '..');
export const readRoot = (file: string) => readFileSync(join(ROOT, file), 'utf8');

export interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  env_file?: (string | { path: string; required?: boolean })[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  [key: string]: unknown;
}

/** docker-compose.yml after YAML anchors and merge keys (js-yaml applies `<<` as compose does). */
export function loadCompose(text = readRoot('docker-compose.yml')): { services: Record<string, ComposeService> } {
  return load(text) as { services: Record<string, ComposeService> };
}

/**
 * What compose puts in a service's environment: each env_file in order, then `environment`,
 * which wins. This file uses no `${VAR}` interpolation; the function refuses one rather than
 * guess what the operator's shell would hold.
 */
export function serviceEnvironment(service: ComposeService, readEnvFile: (path: string) => string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of service.env_file ?? []) {
    const path = typeof entry === 'string' ? entry : entry.path;
    Object.assign(env, parseEnv(readEnvFile(path)));
  }
  const given = service.environment ?? {};
  const pairs = Array.isArray(given) ? given.map((line) => line.split(/=(.*)/s).slice(0, 2)) : Object.entries(given);
  for (const [key, value] of pairs) {
    if (value === null || value === undefined) continue; // `KEY:` alone passes the host's value: none here
    env[key] = String(value);
  }
  for (const [key, value] of Object.entries(env)) {
    if (value.includes('${')) throw new Error(`${key} uses interpolation, which this check does not model`);
  }
  return env;
}

/** The `ENV` lines of one stage of the Dockerfile: part of every container's environment. */
export function imageEnvironment(stage: string, dockerfile = readRoot('Dockerfile')): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of stageLines(stage, dockerfile)) {
    const m = /^ENV\s+([A-Z_][A-Z0-9_]*)=(\S+)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** The instructions of one `FROM … AS stage` block (heredoc bodies left out). */
export function stageLines(stage: string, dockerfile = readRoot('Dockerfile')): string[] {
  const lines: string[] = [];
  let inside = false;
  let heredoc: string | null = null;
  for (const line of dockerfile.split('\n')) {
    if (heredoc) {
      if (line.trim() === heredoc) heredoc = null;
      else if (inside) lines.push(`  ${line}`);
      continue;
    }
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from) inside = from[1] === stage;
    else if (inside && line.trim() && !line.startsWith('#')) lines.push(line);
    const opening = /<<-?'?(\w+)'?/.exec(line);
    if (opening && !line.startsWith('#')) heredoc = opening[1];
  }
  return lines;
}

const PLACEHOLDER = /__([A-Z][A-Z0-9_]*)__/g;

/**
 * Fills an env example as its comments tell an operator to: each `NAME=__NAME__` gets a value
 * made the way the comment block above it says (`openssl rand -hex 32`, `openssl rand -base64 32`,
 * or a Stripe value that "starts with sk_test_"), and every other `__NAME__` gets the same value
 * (one password in POSTGRES_PASSWORD and DATABASE_URL). `uncomment` also enables the optional
 * lines left commented out (live mode).
 */
export function fillPlaceholders(text: string, { uncomment = false } = {}): string {
  const values = new Map<string, string>();
  let comments: string[] = [];
  for (const line of text.split('\n')) {
    const variable = /^(?:#\s*)?([A-Z][A-Z0-9_]*)=__([A-Z][A-Z0-9_]*)__$/.exec(line);
    if (variable && variable[1] === variable[2]) {
      values.set(variable[1], generate(variable[1], comments.join(' ')));
      comments = [];
    } else if (line.startsWith('#')) {
      comments.push(line);
    } else {
      comments = [];
    }
  }
  return text
    .split('\n')
    .map((line) => {
      const setting = /^(?:#\s*)?[A-Z][A-Z0-9_]*=/.test(line);
      if (!setting || !/__[A-Z][A-Z0-9_]*__/.test(line)) return line;
      const filled = line.replace(PLACEHOLDER, (_, name: string) => {
        const value = values.get(name);
        if (!value) throw new Error(`No line ${name}=__${name}__ says how to make __${name}__`);
        return value;
      });
      return uncomment ? filled.replace(/^#\s*(?=[A-Z][A-Z0-9_]*=)/, '') : filled;
    })
    .join('\n');
}

function generate(name: string, recipe: string): string {
  const openssl = /openssl rand -(hex|base64) (\d+)/.exec(recipe);
  if (openssl) return randomBytes(Number(openssl[2])).toString(openssl[1] as 'hex' | 'base64');
  const stripe = /starts with ((?:sk|rk|whsec)_(?:test_|live_)?)/.exec(recipe);
  if (stripe) return `${stripe[1]}${randomBytes(24).toString('hex')}`;
  throw new Error(`The comment above ${name} does not say how to make its value`);
}

/**
 * Whether `.dockerignore` keeps a path out of the build context: its patterns in order, the
 * last match wins, `!` re-includes, a pattern matching a directory covers what is inside.
 */
export function dockerIgnores(path: string, dockerignore = readRoot('.dockerignore')): boolean {
  let ignored = false;
  const patterns = dockerignore.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/^\/|\/$/g, '');
    const source = pattern
      .split('/')
      .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
      .join('/')
      .replace(/\.\*\//g, '(?:.*/)?');
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) ignored = !negated;
  }
  return ignored;
}
