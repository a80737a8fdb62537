import fc from 'fast-check';

/** A JSON schema as the OpenAPI document writes it (the subset our routes use). */
export interface JsonSchema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
}

/** Strings an attacker tries first: NUL and other controls, broken UTF-16, huge, dates out of range, injections. */
const NASTY = [
  '',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[2J',
  '\ud800',
  '\udfff\ud800',
  '\u202etxt.exe',
  '😀'.repeat(300),
  'x'.repeat(70_000),
  '-271821-04-20T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9'.repeat(400),
  '1e309',
  'NaN',
  '-0',
  '__proto__',
  'constructor',
  "' OR 1=1 --",
  '%00',
  '../../etc/passwd',
  'contact@café-crème.fr',
  'http://[::127.0.0.1]/',
  '<script>alert(1)</script>',
];

export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

const nastyNumber = fc.oneof(
  fc.constantFrom(0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 63), 0.1 + 0.2, 5e-324),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Anything JSON can carry, shallow or deep, of any type. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 500 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))) },
);

/** Values shaped by the schema most of the time (so validation is reached deep inside), wild the rest. */
export function valueOf(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return anyJson;
  return fc.oneof({ weight: 4, arbitrary: typedValueOf(schema, depth) }, { weight: 1, arbitrary: anyJson });
}

function typedValueOf(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => valueOf(s, depth + 1)));
  switch (schema.type) {
    case 'object': {
      const shaped = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, valueOf(s, depth + 1)]));
      const known = fc.record(shaped, { requiredKeys: [] });
      // Now and then a field the schema does not have.
      return fc.tuple(known, fc.option(fc.tuple(nastyString, anyJson), { freq: 5 })).map(([o, extra]) => (extra ? { ...o, [extra[0]]: extra[1] } : o));
    }
    case 'array':
      return fc.oneof(fc.array(valueOf(schema.items, depth + 1), { maxLength: 4 }), fc.array(valueOf(schema.items, depth + 1), { minLength: 101, maxLength: 120 }));
    case 'integer':
    case 'number': {
      const min = Math.max(schema.minimum ?? -1000, -1e9);
      const max = Math.min(schema.maximum ?? 1000, 1e9);
      const inRange = schema.type === 'integer' ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
      return fc.oneof(inRange, nastyNumber);
    }
    case 'boolean':
      return fc.boolean();
    case 'string':
      if (schema.format === 'date-time') return fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), nastyString);
      if (schema.format === 'email') return fc.oneof(fc.emailAddress(), nastyString);
      return nastyString;
    default:
      return anyJson;
  }
}

/** A request body: JSON from the schema, or bytes no parser should choke on. */
export function bodyOf(schema: JsonSchema | undefined): fc.Arbitrary<{ json?: unknown; raw?: string; contentType?: string }> {
  return fc.oneof(
    { weight: 6, arbitrary: valueOf(schema).map((json) => ({ json })) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.integer({ min: 1000, max: 100_000 }).map((n) => ({ raw: '['.repeat(n) + ']'.repeat(n) })),
        fc.integer({ min: 1000, max: 100_000 }).map((n) => ({ raw: '{"a":'.repeat(n) + '1' + '}'.repeat(n) })),
        fc.constantFrom('{', 'null', '"\\u0000"', '{"a":1,"a":2}', '{"__proto__":{"x":1}}', '\u0000', '1e99999').map((raw) => ({ raw })),
        fc.string({ unit: 'binary', maxLength: 60 }).map((raw) => ({ raw })),
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom({ raw: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' }, { raw: 'hello', contentType: 'text/plain' }, {}) },
  );
}

/** A query string: the route's own parameters with wild values, unknown ones, repeated ones, broken escapes. */
export function queryOf(params: { name: string; schema?: JsonSchema }[]): fc.Arbitrary<string> {
  const value = (s?: JsonSchema) => valueOf(s).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? ''));
  const known = fc.record(Object.fromEntries(params.map((p) => [p.name, value(p.schema)])), { requiredKeys: [] });
  return fc
    .tuple(known, fc.array(fc.tuple(fc.oneof(fc.constantFrom(...params.map((p) => p.name), 'x'), nastyString), value()), { maxLength: 2 }), fc.constantFrom('', '', '', '&%', '&a=%C0%80', '&limit=%00'))
    .map(([own, extra, broken]) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(own)) q.append(k, String(v));
      for (const [k, v] of extra) q.append(k, v);
      const s = q.toString() + broken;
      return s ? `?${s}` : '';
    });
}

/** Every place a value sits in a JSON document, as a path of keys and indexes. */
function leafPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => leafPaths(v, [...at, i]))];
  if (value && typeof value === 'object') return [at, ...Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...at, k]))];
  return [at];
}

function replaceAt(value: unknown, path: (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[path[0]] = replaceAt(copy[path[0]], path.slice(1), by);
  return copy;
}

/** A valid request with one value replaced by a hostile one: reaches the code a wholly random body never does. */
export function mutationOf(valid: unknown): fc.Arbitrary<{ json: unknown }> {
  const paths = leafPaths(valid).filter((p) => p.length > 0);
  if (paths.length === 0) return anyJson.map((json) => ({ json }));
  return fc
    .tuple(fc.constantFrom(...paths), fc.oneof({ weight: 3, arbitrary: nastyString }, { weight: 1, arbitrary: anyJson }))
    .map(([path, by]) => ({ json: replaceAt(valid, path, by) }));
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** encodeURIComponent, except that an unpaired surrogate goes out as its (invalid) UTF-8 bytes instead of throwing. */
export function percentEncode(s: string): string {
  const wtf8 = (c: string) => {
    const cp = c.charCodeAt(0);
    return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  };
  let out = '';
  let last = 0;
  for (const m of s.matchAll(LONE_SURROGATE)) {
    out += encodeURIComponent(s.slice(last, m.index)) + wtf8(m[0]);
    last = m.index + m[0].length;
  }
  return out + encodeURIComponent(s.slice(last));
}
