import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return out;
}

const mode = (livemode: boolean) => (livemode ? 'live' : 'test');

/** Ids shaped like Stripe's: its prefixes and lengths; only Checkout Session ids spell out the key mode. */
export const stripeIds = {
  customer: () => `cus_${randomToken(14)}`,
  product: () => `prod_${randomToken(14)}`,
  price: () => `price_${randomToken(24)}`,
  lineItem: () => `li_${randomToken(24)}`,
  paymentIntent: () => `pi_${randomToken(24)}`,
  paymentMethod: () => `pm_${randomToken(24)}`,
  charge: () => `ch_${randomToken(24)}`,
  setupIntent: () => `seti_${randomToken(24)}`,
  subscription: () => `sub_${randomToken(24)}`,
  subscriptionItem: () => `si_${randomToken(14)}`,
  invoice: () => `in_${randomToken(24)}`,
  invoiceLine: () => `il_${randomToken(24)}`,
  invoicePayment: () => `inpay_${randomToken(24)}`,
  cardFingerprint: () => randomToken(16),
  refund: () => `re_${randomToken(24)}`,
  event: () => `evt_${randomToken(24)}`,
  request: () => `req_${randomToken(14)}`,
  checkoutSession: (livemode: boolean) => `cs_${mode(livemode)}_a1${randomToken(56)}`,
  clientSecret: (objectId: string) => `${objectId}_secret_${randomToken(24)}`,
};
