export * from './stripe-client';
export * from './stripe-event-error.util';
export * from './stripe-event.repository';
export * from './stripe-webhook-verifier';
export * from './stripe.module';
