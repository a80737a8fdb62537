export { StripeEmulator } from './stripe-emulator';
export type { StripeEmulatorOptions } from './stripe-emulator';
export type { CompleteCheckoutOptions, FailCheckoutOptions } from './checkout-flow';
export type { ConfirmPaymentOptions } from './card-payments';
export type { RenewSubscriptionOptions } from './subscription-flow';
export type { TestCard } from './test-cards';
export type {
  InvoiceLineObject,
  InvoiceObject,
  SubscriptionItemObject,
  SubscriptionObject,
} from './billing-objects';
export type { WebhookDelivery } from './emulator-store';
export { parseFormBody } from './form-body';
export type { FormObject, FormValue } from './form-body';
export type {
  CheckoutSessionObject,
  CustomerObject,
  LineItemObject,
  ListObject,
  PaymentIntentObject,
  PaymentMethodObject,
  PriceObject,
  ProductObject,
  SetupIntentObject,
  StripeEventLike,
} from './stripe-objects';
