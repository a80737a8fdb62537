import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { AppError } from './app-error';
import { text } from './input-fields';

const pathText = text();

/**
 * Path parameters (ids) obey the same text rule as body fields: a NUL byte in
 * `/v1/orders/%00` reached PostgreSQL, which refused it with a 500. Applied to
 * every route at once, so a new route cannot forget it.
 */
@Injectable()
export class PathParamPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'param' || typeof value !== 'string') return value;
    const result = pathText.safeParse(value);
    if (!result.success) throw AppError.validation([{ field: metadata.data ?? '(path)', message: result.error.issues[0].message }]);
    return value;
  }
}
