/**
 * The customer's card, as one of Stripe's test cards. The kind decides every charge on a PaymentMethod, so the same
 * flows that succeed with `visa` can be replayed with a card that needs authentication or is declined.
 */
export type TestCard = 'visa' | 'authentication_required' | 'insufficient_funds' | 'generic_decline';

export const TEST_CARDS: readonly TestCard[] = ['visa', 'authentication_required', 'insufficient_funds', 'generic_decline'];

/** Stripe's test PaymentMethod tokens; each use of one makes a new `pm_…`, as on Stripe. */
export const TEST_CARD_TOKENS: Record<string, TestCard> = {
  pm_card_visa: 'visa',
  pm_card_authenticationRequired: 'authentication_required',
  pm_card_chargeDeclinedInsufficientFunds: 'insufficient_funds',
  pm_card_chargeDeclined: 'generic_decline',
};

/** The last four digits of the card numbers Stripe documents for each kind (4242…, 4000002760003184, …). */
const LAST4: Record<TestCard, string> = {
  visa: '4242',
  authentication_required: '3184',
  insufficient_funds: '9995',
  generic_decline: '0002',
};

export function cardLast4(card: TestCard): string {
  return LAST4[card];
}

/**
 * The decline code a charge gets, or null when it goes through. The 3-D Secure card (4000002760003184) always asks
 * for authentication; outside Checkout the emulator has no challenge to pass, so every confirm with it fails with
 * `authentication_required`, off-session as Stripe does, and on-session where Stripe would ask for 3-D Secure.
 */
export function declineCodeFor(card: TestCard): string | null {
  return card === 'visa' ? null : card;
}

/**
 * The decline code on Checkout's page, where the customer is present: Checkout runs 3-D Secure itself, so the
 * authentication card goes through there, and only its later off-session charges fail.
 */
export function checkoutDeclineCodeFor(card: TestCard): string | null {
  return card === 'authentication_required' ? null : declineCodeFor(card);
}

export function isTestCard(value: string): value is TestCard {
  return (TEST_CARDS as readonly string[]).includes(value);
}
