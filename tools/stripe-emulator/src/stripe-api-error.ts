/** The `error` member of a Stripe error response, as the SDK reads it to pick an error class. */
export interface StripeErrorBody {
  type: 'invalid_request_error' | 'idempotency_error' | 'api_error' | 'card_error';
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
  /** On card errors: the objects as they stand after the failed attempt, which the SDK exposes on the error. */
  payment_intent?: object;
  payment_method?: object;
}

/**
 * An error the emulated API answers with. The SDK maps the HTTP status to its error class (400/404 ->
 * StripeInvalidRequestError or StripeIdempotencyError by `type`, 401 -> StripeAuthenticationError), so status and
 * body travel together.
 */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }

  static withCode(status: number, code: string, body: Omit<StripeErrorBody, 'type' | 'code' | 'doc_url'>) {
    return new StripeApiError(status, {
      type: 'invalid_request_error',
      code,
      doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`,
      ...body,
    });
  }

  /** `otherMode` is set when the id exists under the other key mode, which Stripe points out. */
  static resourceMissing(objectName: string, id: string, param = 'id', otherMode?: 'live' | 'test') {
    const hint = otherMode
      ? `; a similar object exists in ${otherMode} mode, but a ${otherMode === 'live' ? 'test' : 'live'} mode key was ` +
        'used to make this request.'
      : '';
    return StripeApiError.withCode(404, 'resource_missing', { param, message: `No such ${objectName}: '${id}'${hint}` });
  }

  static parameterMissing(param: string, message = `Missing required param: ${param}.`) {
    return StripeApiError.withCode(400, 'parameter_missing', { param, message });
  }

  static parameterUnknown(param: string) {
    return StripeApiError.withCode(400, 'parameter_unknown', {
      param,
      message:
        `Received unknown parameter: ${param}. ` +
        '(The emulator accepts only the parameters it models; see tools/stripe-emulator/README.md.)',
    });
  }

  /** Stripe answers most invalid values with a plain invalid_request_error naming the parameter, without a code. */
  static invalid(param: string | undefined, message: string, code?: string) {
    if (code) return StripeApiError.withCode(400, code, { param, message });
    return new StripeApiError(400, { type: 'invalid_request_error', message, ...(param ? { param } : {}) });
  }

  static unrecognizedUrl(method: string, path: string) {
    return new StripeApiError(404, {
      type: 'invalid_request_error',
      message:
        `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at ` +
        'https://support.stripe.com/.',
    });
  }

  /** A declined charge: 402, which the SDK turns into StripeCardError with `code`, `decline_code` and `raw`. */
  static card(body: Omit<StripeErrorBody, 'type'>) {
    return new StripeApiError(402, { type: 'card_error', ...body });
  }

  /** Stripe's answer to an action the object's status does not allow. */
  static unexpectedState(message: string, param?: string) {
    return StripeApiError.withCode(400, 'payment_intent_unexpected_state', { message, ...(param ? { param } : {}) });
  }

  static idempotency(message: string, status = 400) {
    return new StripeApiError(status, { type: 'idempotency_error', message });
  }
}
