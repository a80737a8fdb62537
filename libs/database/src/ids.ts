import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnpqrstvwxyz';

/** Prefixed random ids (`par_…`, `ord_…`) like Stripe's: readable in logs, unguessable. */
export function newId(prefix: string, length = 22): string {
  return newIds(prefix, 1, length)[0];
}

/**
 * `count` ids as newId makes them, from one randomBytes call: a batch's ids (the delivery record's attempts) cost
 * one call, not one each (~7 µs per id in a profiled bench:delivery).
 */
export function newIds(prefix: string, count: number, length = 22): string[] {
  return idsFrom(`${prefix}_`, count, length);
}

/** Characters of a sortable id's time: milliseconds in base ALPHABET.length, enough until the year 4300. */
const TIME_CHARS = 8;

/**
 * `count` ids of newId's shape whose first TIME_CHARS characters are the time in ms, in ALPHABET's digits (which are in
 * ASCII order), the rest random (80 bits): ids made later sort after (bytewise, as the database's C collation compares
 * them), so a table's primary key grows at its right edge. For attempts, 20,000 a drain: with random ids each insert
 * went to a random leaf of attempts_pkey (pages split half full: the index 30 % larger, and ~25 bytes more WAL and
 * 5-15 % more time per row, measured on 39,000 rows in batches of 65, 2026-12-05).
 */
export function newSortableIds(prefix: string, count: number, length = 22): string[] {
  let time = '';
  for (let t = Date.now(), i = 0; i < TIME_CHARS; i++, t = Math.floor(t / ALPHABET.length)) time = ALPHABET[t % ALPHABET.length] + time;
  return idsFrom(`${prefix}_${time}`, count, length - TIME_CHARS);
}

/** `count` strings: `head` then `length` random characters of ALPHABET each. */
function idsFrom(head: string, count: number, length: number): string[] {
  const bytes = randomBytes(count * length);
  const ids: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    let out = head;
    for (let j = i * length; j < (i + 1) * length; j++) out += ALPHABET[bytes[j] % ALPHABET.length];
    ids[i] = out;
  }
  return ids;
}
