import { FormObject, FormValue, isObject } from './form-body';
import { StripeApiError } from './stripe-api-error';

/**
 * Which parameters an endpoint accepts: `true` for a scalar, `'map'` for a free-form string map (metadata),
 * `[shape]` for a list, an object for a hash. Stripe refuses parameters it does not know, and so do we: a typo in
 * our service must fail here as it would in production.
 */
export type ParamShape = true | 'map' | [ParamShape] | { [key: string]: ParamShape };

export type Metadata = Record<string, string>;

const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 };

/** Typed, validated reads of a parsed form body, raising the errors Stripe raises for the same input. */
export class RequestParams {
  constructor(
    readonly values: FormObject,
    private readonly prefix = '',
  ) {}

  /** The parameter name as Stripe reports it in `error.param`, e.g. `line_items[0][quantity]`. */
  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  assertKnown(shape: { [key: string]: ParamShape }): void {
    checkShape(this.values, shape, this.prefix);
  }

  /** Empty strings read as null: the SDK sends `null` as `key=`, and Stripe treats both as "unset". */
  string(key: string): string | null {
    const value = this.raw(key);
    if (value === undefined || value === '') return null;
    if (typeof value !== 'string') throw StripeApiError.invalid(this.name(key), `Invalid string: ${this.name(key)}`);
    return value;
  }

  requireString(key: string): string {
    const value = this.string(key);
    if (value === null) throw StripeApiError.parameterMissing(this.name(key));
    return value;
  }

  int(key: string, min?: number): number | null {
    const value = this.string(key);
    if (value === null) return null;
    if (!/^-?\d+$/.test(value)) {
      throw StripeApiError.invalid(this.name(key), `Invalid integer: ${value}`, 'parameter_invalid_integer');
    }
    const parsed = Number(value);
    if (min !== undefined && parsed < min) {
      throw StripeApiError.invalid(
        this.name(key),
        `This value must be greater than or equal to ${min}.`,
        'parameter_invalid_integer',
      );
    }
    return parsed;
  }

  requireInt(key: string, min?: number): number {
    const value = this.int(key, min);
    if (value === null) throw StripeApiError.parameterMissing(this.name(key));
    return value;
  }

  /** The SDK sends booleans as `true`/`false`, the only spellings Stripe accepts. */
  boolean(key: string): boolean | null {
    const value = this.string(key);
    if (value === null) return null;
    if (value !== 'true' && value !== 'false') throw StripeApiError.invalid(this.name(key), `Invalid boolean: ${value}`);
    return value === 'true';
  }

  enum<T extends string>(key: string, allowed: readonly T[]): T | null {
    const value = this.string(key);
    if (value === null) return null;
    if (!allowed.includes(value as T)) {
      throw StripeApiError.invalid(this.name(key), `Invalid ${this.name(key)}: must be one of ${listWords(allowed)}`);
    }
    return value as T;
  }

  object(key: string): RequestParams | null {
    const value = this.raw(key);
    if (value === undefined || value === '') return null;
    if (!isObject(value)) throw StripeApiError.invalid(this.name(key), `Invalid hash: ${this.name(key)}`);
    return new RequestParams(value, this.name(key));
  }

  /** A list of hashes, given either as `key[0][a]=` (a hash with numeric keys) or as `key[][a]=`. */
  list(key: string): RequestParams[] {
    return this.elements(key).map((value, index) => {
      const name = `${this.name(key)}[${index}]`;
      if (!isObject(value)) throw StripeApiError.invalid(name, `Invalid hash: ${name}`);
      return new RequestParams(value, name);
    });
  }

  stringList(key: string): string[] {
    return this.elements(key).map((value, index) => {
      if (typeof value !== 'string') throw StripeApiError.invalid(`${this.name(key)}[${index}]`, 'Invalid string');
      return value;
    });
  }

  /**
   * Metadata as sent: undefined when absent, `{}` for `metadata=` (clear everything), and entries whose empty value
   * means "delete this key" on update.
   */
  metadata(key: string): Metadata | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (value === '') return {};
    if (!isObject(value)) throw StripeApiError.invalid(this.name(key), `Invalid hash: ${this.name(key)}`);
    const entries = Object.entries(value);
    if (entries.length > METADATA_LIMITS.keys) {
      throw StripeApiError.invalid(this.name(key), `Metadata can have up to ${METADATA_LIMITS.keys} keys.`);
    }
    for (const [entryKey, entryValue] of entries) {
      const name = `${this.name(key)}[${entryKey}]`;
      if (typeof entryValue !== 'string') throw StripeApiError.invalid(name, `Invalid string: ${name}`);
      if (entryKey.length > METADATA_LIMITS.keyLength) {
        throw StripeApiError.invalid(name, `Metadata keys can be up to ${METADATA_LIMITS.keyLength} characters long.`);
      }
      if (entryValue.length > METADATA_LIMITS.valueLength) {
        throw StripeApiError.invalid(name, `Metadata values can be up to ${METADATA_LIMITS.valueLength} characters.`);
      }
    }
    return value as Metadata;
  }

  private raw(key: string): FormValue | undefined {
    return Object.hasOwn(this.values, key) ? this.values[key] : undefined;
  }

  private elements(key: string): FormValue[] {
    const value = this.raw(key);
    if (value === undefined || value === '') return [];
    const list = toList(value);
    if (!list) throw StripeApiError.invalid(this.name(key), `Invalid array: ${this.name(key)}`);
    return list;
  }
}

/** For endpoints that model no expansion: an `expand` is refused rather than silently ignored. */
export function refuseExpand(params: RequestParams): void {
  const [expand] = params.stringList('expand');
  if (expand !== undefined) throw StripeApiError.invalid('expand', `This property cannot be expanded (${expand}).`);
}

/** Applies a metadata update the way Stripe does: keys merge, an empty value deletes its key, `{}` clears all. */
export function mergeMetadata(current: Metadata, update: Metadata | undefined): Metadata {
  if (update === undefined) return current;
  if (Object.keys(update).length === 0) return {};
  const merged = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** Creation has no keys to delete, so empty values are simply not stored. */
export function newMetadata(given: Metadata | undefined): Metadata {
  return mergeMetadata({}, given ?? {});
}

function toList(value: FormValue): FormValue[] | null {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return null;
  const keys = Object.keys(value);
  if (!keys.every((key) => /^\d+$/.test(key))) return null;
  return keys.sort((a, b) => Number(a) - Number(b)).map((key) => value[key]);
}

function checkShape(values: FormObject, shape: { [key: string]: ParamShape }, prefix: string): void {
  for (const [key, value] of Object.entries(values)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    if (!Object.hasOwn(shape, key)) throw StripeApiError.parameterUnknown(name);
    checkValue(value, shape[key], name);
  }
}

function checkValue(value: FormValue, shape: ParamShape, name: string): void {
  if (value === '') return; // "unset", valid for every kind of parameter
  if (shape === true) {
    if (typeof value !== 'string') throw StripeApiError.invalid(name, `Invalid string: ${name}`);
  } else if (shape === 'map') {
    if (!isObject(value)) throw StripeApiError.invalid(name, `Invalid hash: ${name}`);
  } else if (Array.isArray(shape)) {
    const list = toList(value);
    if (!list) throw StripeApiError.invalid(name, `Invalid array: ${name}`);
    list.forEach((element, index) => checkValue(element, shape[0], `${name}[${index}]`));
  } else {
    if (!isObject(value)) throw StripeApiError.invalid(name, `Invalid hash: ${name}`);
    checkShape(value, shape, name);
  }
}

function listWords(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')}, or ${words[words.length - 1]}`;
}
