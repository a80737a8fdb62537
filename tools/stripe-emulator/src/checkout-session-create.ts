import { methodTypesParam } from './api-versions';
import { LINE_ITEM_PARAMS, priceLineItems } from './checkout-line-items';
import { EmulatorStore, IntentData, SessionRecord } from './emulator-store';
import { ParamShape, RequestParams, newMetadata } from './request-params';
import { StripeApiError } from './stripe-api-error';
import { stripeIds } from './stripe-ids';
import { CheckoutSessionObject, SessionMode, nowSeconds } from './stripe-objects';

const SESSION_PARAMS: { [key: string]: ParamShape } = {
  mode: true,
  customer: true,
  customer_email: true,
  currency: true,
  line_items: LINE_ITEM_PARAMS,
  metadata: 'map',
  payment_intent_data: { metadata: 'map', description: true },
  setup_intent_data: { metadata: 'map', description: true },
  subscription_data: { metadata: 'map', description: true },
  client_reference_id: true,
  success_url: true,
  cancel_url: true,
  return_url: true,
  redirect_on_completion: true,
  ui_mode: true,
  locale: true,
  expires_at: true,
  expand: [true],
};

/**
 * `2026-03-25.dahlia` renamed the ui_mode values and made the old ones fail, so which names are valid depends on the
 * request's Stripe-Version. Following it keeps our code honest: a value real Stripe would refuse is refused here.
 */
const DAHLIA = '2026-03-25';
const UI_MODES_SINCE_DAHLIA = ['hosted_page', 'embedded_page', 'elements', 'form'] as const;
const UI_MODES_BEFORE_DAHLIA = ['hosted', 'embedded', 'custom'] as const;
const HOSTED_UI_MODES = new Set<string>(['hosted', 'hosted_page']);

const DAY = 24 * 60 * 60;
const MIN_EXPIRY = 30 * 60;

export interface SessionContext {
  livemode: boolean;
  apiVersion: string;
  /** The emulator's base URL; hosted sessions are paid at `${baseUrl}/pay/${id}`. */
  baseUrl: string;
}

export function createCheckoutSession(store: EmulatorStore, params: RequestParams, ctx: SessionContext): SessionRecord {
  const typesParam = methodTypesParam(ctx.apiVersion);
  params.assertKnown({ ...SESSION_PARAMS, [typesParam]: [true] });
  const methodTypes = params.stringList(typesParam);
  const mode = params.enum('mode', ['payment', 'setup', 'subscription'] as const) ?? missing('mode');
  const uiModes = ctx.apiVersion >= DAHLIA ? UI_MODES_SINCE_DAHLIA : UI_MODES_BEFORE_DAHLIA;
  const uiMode = params.enum('ui_mode', uiModes) ?? uiModes[0];
  const hosted = HOSTED_UI_MODES.has(uiMode);
  const urls = redirectUrls(params, hosted, uiMode);

  const customerId = params.string('customer');
  const customerEmail = params.string('customer_email');
  if (customerId !== null && customerEmail !== null) {
    throw StripeApiError.invalid('customer_email', 'You may only specify one of these parameters: customer, customer_email.');
  }
  if (customerId !== null) store.customers.get(customerId, ctx.livemode, 'customer');

  const created = nowSeconds();
  const expiresAt = params.int('expires_at') ?? created + DAY;
  if (expiresAt < created + MIN_EXPIRY || expiresAt > created + DAY) {
    throw StripeApiError.invalid(
      'expires_at',
      'The `expires_at` timestamp must be at least 30 minutes and at most 24 hours after the Checkout Session is created.',
    );
  }

  const priced = priceLineItems(store, params, mode, ctx.livemode);
  const currency = priced.currency ?? params.string('currency')?.toLowerCase() ?? null;
  if (mode === 'setup' && currency === null && methodTypes.length === 0) {
    // Setup sessions offer the Dashboard's payment methods for a currency, so Stripe needs one or an explicit list.
    throw StripeApiError.parameterMissing(
      'currency',
      `Missing required param: currency. It is required in \`setup\` mode when \`${typesParam}\` is not set.`,
    );
  }
  const id = stripeIds.checkoutSession(ctx.livemode);
  const paymentIntentData = modeData(params, 'payment_intent_data', 'payment', mode);
  const setupIntentData = modeData(params, 'setup_intent_data', 'setup', mode);
  const subscriptionData = modeData(params, 'subscription_data', 'subscription', mode);

  const session: CheckoutSessionObject = {
    id,
    object: 'checkout.session',
    allowed_payment_method_types: methodTypes.length ? methodTypes : null,
    amount_subtotal: mode === 'setup' ? null : priced.amountTotal,
    amount_total: mode === 'setup' ? null : priced.amountTotal,
    cancel_url: urls.cancel,
    client_reference_id: params.string('client_reference_id'),
    client_secret: hosted ? null : stripeIds.clientSecret(id),
    created,
    currency,
    customer: customerId,
    customer_creation: customerId === null && mode === 'payment' ? 'if_required' : null,
    customer_details: null,
    customer_email: customerEmail,
    expires_at: expiresAt,
    invoice: null,
    livemode: ctx.livemode,
    locale: params.string('locale'),
    metadata: newMetadata(params.metadata('metadata')),
    mode,
    payment_intent: null,
    payment_method_types: methodTypes.length ? methodTypes : ['card'],
    payment_status: mode === 'setup' ? 'no_payment_required' : 'unpaid',
    ...(urls.redirectOnCompletion ? { redirect_on_completion: urls.redirectOnCompletion } : {}),
    return_url: urls.return,
    setup_intent: null,
    status: 'open',
    subscription: null,
    success_url: urls.success,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: uiMode,
    url: hosted ? `${ctx.baseUrl}/pay/${id}` : null,
  };
  return store.sessions.insert({
    id,
    livemode: ctx.livemode,
    session,
    lineItems: priced.lineItems,
    paymentIntentData,
    setupIntentData,
    subscriptionData,
  });
}

/** `payment_intent_data`, `setup_intent_data`, `subscription_data`: each only in its own mode, as Stripe checks. */
function modeData(params: RequestParams, key: string, allowedMode: SessionMode, mode: SessionMode): IntentData {
  const data = params.object(key);
  if (data && mode !== allowedMode) {
    throw StripeApiError.invalid(key, `You can only specify \`${key}\` in \`${allowedMode}\` mode.`);
  }
  return { metadata: newMetadata(data?.metadata('metadata')), description: data?.string('description') ?? null };
}

interface RedirectUrls {
  success: string | null;
  cancel: string | null;
  return: string | null;
  redirectOnCompletion: string | null;
}

/** Hosted pages redirect to success/cancel URLs; embedded ones take a return_url instead and refuse the others. */
function redirectUrls(params: RequestParams, hosted: boolean, uiMode: string): RedirectUrls {
  const success = params.string('success_url');
  const cancel = params.string('cancel_url');
  const returnUrl = params.string('return_url');
  if (hosted) {
    const refused = ['return_url', 'redirect_on_completion'].filter((key) => params.has(key));
    if (refused.length) {
      throw StripeApiError.invalid(
        refused[0],
        `The following parameters are not supported with 'ui_mode: ${uiMode}': ${refused.join(', ')}.`,
      );
    }
    if (success === null) throw StripeApiError.parameterMissing('success_url');
    return { success, cancel, return: null, redirectOnCompletion: null };
  }
  const refused = ['cancel_url', 'success_url'].filter((key) => params.has(key));
  if (refused.length) {
    throw StripeApiError.invalid(
      refused[0],
      `The following parameters are not supported with 'ui_mode: ${uiMode}': ${refused.join(', ')}.`,
    );
  }
  const redirectOnCompletion = params.enum('redirect_on_completion', ['always', 'if_required', 'never'] as const) ?? 'always';
  if (redirectOnCompletion === 'never' && returnUrl !== null) {
    throw StripeApiError.invalid('return_url', '`return_url` cannot be set when `redirect_on_completion` is `never`.');
  }
  if (redirectOnCompletion !== 'never' && returnUrl === null) {
    throw StripeApiError.parameterMissing(
      'return_url',
      `Missing required param: return_url. It is required with 'ui_mode: ${uiMode}' unless redirect_on_completion is never.`,
    );
  }
  return { success: null, cancel: null, return: returnUrl, redirectOnCompletion };
}

function missing(param: string): never {
  throw StripeApiError.parameterMissing(param);
}
