import type { ZodType } from 'zod';
import { AppError } from './app-error';

/** Validates a request part against its schema, or throws a 400 naming every offending field. */
export function parseInput<T>(schema: ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw AppError.validation(
    result.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
  );
}
