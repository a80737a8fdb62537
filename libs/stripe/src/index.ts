export * from './stripe-client';
export * from './stripe-webhook-verifier';
export * from './stripe.module';
