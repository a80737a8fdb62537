import { SelectQueryBuilder } from 'typeorm';

export interface PageRequest {
  limit: number;
  /** Opaque: the `next_cursor` of the previous page. */
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export class InvalidCursorError extends Error {}

/** What `next_cursor` carries: a millisecond ISO time in the years 1970-9999 and one of our ids. */
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([A-Za-z0-9_]{1,100})$/;

/**
 * A forged or garbled cursor is refused here, before it reaches PostgreSQL: a date
 * outside what timestamptz holds or a NUL byte in the id would otherwise be a 500.
 */
function decode(cursor: string): { createdAt: Date; id: string } {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const createdAt = new Date(match?.[1] ?? NaN);
  if (!match || Number.isNaN(createdAt.getTime()) || createdAt.getUTCFullYear() < 1970) throw new InvalidCursorError('cursor is not one this API returned');
  return { createdAt, id: match[2] };
}

/**
 * Newest first, stable under inserts: keyset pagination on (created_at, id),
 * so a page never repeats or skips a row the way OFFSET does while rows arrive.
 */
export async function cursorPage<T extends { id: string }>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  page: PageRequest,
  /** The timestamp column (millisecond precision) and how to read it off a row. */
  time: { column: string; of: (row: T) => Date } = { column: 'created_at', of: (row) => (row as unknown as { createdAt: Date }).createdAt },
): Promise<Page<T>> {
  const column = `${alias}.${time.column}`;
  if (page.cursor) {
    const { createdAt, id } = decode(page.cursor);
    qb.andWhere(`(${column}, ${alias}.id) < (:cursorAt, :cursorId)`, { cursorAt: createdAt, cursorId: id });
  }
  const rows = await qb.orderBy(column, 'DESC').addOrderBy(`${alias}.id`, 'DESC').take(page.limit + 1).getMany();
  const data = rows.slice(0, page.limit);
  const last = data[data.length - 1];
  return {
    data,
    has_more: rows.length > page.limit,
    next_cursor: rows.length > page.limit && last ? Buffer.from(`${time.of(last).toISOString()}|${last.id}`).toString('base64url') : null,
  };
}
