import { AsyncLocalStorage } from 'node:async_hooks';

/** Ids that identify the work a log line belongs to. */
export type LogFields = Partial<Record<'request_id' | 'job' | 'job_id' | 'stripe_event_id' | 'order_id' | 'invoice_id' | 'message_id' | 'delivery_id' | 'endpoint_id', string>>;

const storage = new AsyncLocalStorage<LogFields>();

/**
 * Runs `fn` with these ids attached to every log line it writes, however
 * deep, so one grep for an order id finds the whole story of that order.
 */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return storage.run({ ...(storage.getStore() ?? {}), ...fields }, fn);
}

/** Adds ids learnt along the way (the order an event turned out to be about). */
export function addLogContext(fields: LogFields): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}

export function currentLogContext(): LogFields {
  return storage.getStore() ?? {};
}
