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

function decode(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso);
  if (!id || Number.isNaN(createdAt.getTime())) throw new InvalidCursorError('cursor is not one this API returned');
  return { createdAt, id };
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
