export { StripeEmulator } from './stripe-emulator';
export type { StripeEmulatorOptions } from './stripe-emulator';
export type { CompleteCheckoutOptions, FailCheckoutOptions } from './checkout-flow';
export type { WebhookDelivery } from './emulator-store';
export { parseFormBody } from './form-body';
export type { FormObject, FormValue } from './form-body';
export type {
  CheckoutSessionObject,
  CustomerObject,
  LineItemObject,
  ListObject,
  PaymentIntentObject,
  PriceObject,
  ProductObject,
  StripeEventLike,
} from './stripe-objects';
