import { InvalidCursorError, Page } from '@app/database';
import { AppError } from '@app/errors';

/** A page as the API returns it: `{object: "list", data, has_more, next_cursor}`. */
export async function listOf<T, R>(load: () => Promise<Page<T>>, view: (row: T) => R) {
  try {
    const page = await load();
    return { object: 'list' as const, data: page.data.map(view), has_more: page.has_more, next_cursor: page.next_cursor };
  } catch (err) {
    if (err instanceof InvalidCursorError) throw AppError.validation([{ field: 'cursor', message: err.message }]);
    throw err;
  }
}
