import { ListObject } from './stripe-objects';
import { ParamShape, RequestParams } from './request-params';
import { StripeApiError } from './stripe-api-error';

export const LIST_PARAMS: { [key: string]: ParamShape } = { limit: true, starting_after: true, ending_before: true, expand: [true] };

/**
 * One page of a Stripe list, newest first. `starting_after` is honoured because the SDK's auto-pagination follows
 * it while `has_more` is true; ignoring it would loop forever.
 */
export function listPage<T extends { id: string }>(
  items: T[],
  params: RequestParams,
  url: string,
  objectName: string,
): ListObject<T> {
  const limit = params.int('limit') ?? 10;
  if (limit < 1 || limit > 100) {
    throw StripeApiError.invalid('limit', 'This value must be greater than or equal to 1 and less than or equal to 100.');
  }
  if (params.has('ending_before')) {
    throw StripeApiError.invalid('ending_before', 'The emulator does not page backwards; use starting_after.');
  }
  let start = 0;
  const after = params.string('starting_after');
  if (after !== null) {
    const index = items.findIndex((item) => item.id === after);
    if (index === -1) throw StripeApiError.resourceMissing(objectName, after, 'starting_after');
    start = index + 1;
  }
  return { object: 'list', data: items.slice(start, start + limit), has_more: start + limit < items.length, url };
}
