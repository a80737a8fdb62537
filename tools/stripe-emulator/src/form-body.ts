/**
 * Stripe's v1 API reads `application/x-www-form-urlencoded` bodies (and GET query strings) whose keys nest with
 * brackets: `line_items[0][price_data][currency]=eur`, `expand[]=line_items`. We parse them the way Stripe's Rack
 * stack does: `[]` appends to an array, while `[0]` is an ordinary hash key. Whether a hash of numeric keys is a list
 * depends on the parameter (`line_items` is, `metadata[0]` is not), so that decision is left to `RequestParams`.
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Thrown for bodies Stripe would refuse to parse, such as `a=1&a[b]=2` (a value that is both a string and a hash). */
export class FormBodyError extends Error {
  constructor(readonly key: string) {
    super(`Invalid request: the parameter \`${key}\` is given conflicting types`);
  }
}

// Keys that would let a request body reach Object.prototype.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function parseFormBody(text: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const path = splitKey(rawKey);
    if (!path || path.some((segment) => FORBIDDEN_KEYS.has(segment))) throw new FormBodyError(rawKey);
    assign(root, path, value, rawKey);
  }
  return root;
}

/** `a[b][][c]` -> ['a', 'b', '', 'c']; null when the key is not `name` followed by bracket groups. */
function splitKey(key: string): string[] | null {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) return null;
  const segments = [match[1]];
  for (const group of match[2].matchAll(/\[([^[\]]*)\]/g)) segments.push(group[1]);
  return segments;
}

function assign(container: FormObject | FormValue[], path: string[], value: string, rawKey: string): void {
  const [segment, ...rest] = path;
  if (Array.isArray(container)) {
    if (segment !== '') throw new FormBodyError(rawKey);
    if (rest.length === 0) {
      container.push(value);
      return;
    }
    // `a[][x]=1&a[][y]=2` builds one element per repeated leading key, as Rack does.
    const last = container[container.length - 1];
    const reuse = isObject(last) && !Object.hasOwn(last, rest[0]) ? last : null;
    const child = reuse ?? newContainer(rest[0]);
    if (!reuse) container.push(child);
    assign(child, rest, value, rawKey);
    return;
  }
  if (segment === '') throw new FormBodyError(rawKey);
  if (rest.length === 0) {
    if (Object.hasOwn(container, segment) && typeof container[segment] !== 'string') throw new FormBodyError(rawKey);
    container[segment] = value;
    return;
  }
  const existing = Object.hasOwn(container, segment) ? container[segment] : undefined;
  if (existing === undefined) {
    const child = newContainer(rest[0]);
    container[segment] = child;
    assign(child, rest, value, rawKey);
    return;
  }
  if (typeof existing === 'string' || Array.isArray(existing) !== (rest[0] === '')) throw new FormBodyError(rawKey);
  assign(existing, rest, value, rawKey);
}

function newContainer(nextSegment: string): FormObject | FormValue[] {
  return nextSegment === '' ? [] : {};
}

export function isObject(value: FormValue | undefined): value is FormObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
