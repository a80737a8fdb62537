import { Order, Partner, TenantScope, Tx } from '@app/database';
import type { ApplyingBatch, DeferredInvoice, OrderSettlement } from './order-settlement';
import type { OrderEventKeys, OrderRepository } from './order.repository';
import type { EventSubject } from './stripe-event-fields';

/** The ids a Stripe event names its order by, in the order they are tried. */
export function orderKeysOf(subject: EventSubject): OrderEventKeys {
  return { id: subject.metadata.order_id, checkoutSessionId: subject.checkoutSession?.id, paymentIntentId: subject.paymentIntent?.id };
}

const KEYS = ['id', 'checkoutSessionId', 'paymentIntentId'] as const;

/**
 * The orders a batch locked up front, shared by its events: an event that changes an order changes this copy
 * (and saves it), so the next event of the batch sees the change. Forgotten when a handler writes orders
 * through its own statements.
 */
export class KnownOrders {
  constructor(private orders: Order[]) {}

  /** Same precedence as OrderRepository.findByKeys; undefined when the batch did not lock it. */
  find(scope: TenantScope, keys: OrderEventKeys): Order | undefined {
    for (const k of KEYS) {
      const value = keys[k];
      if (!value) continue;
      const hit = this.orders.find((o) => o[k] === value && o.partnerId === scope.partnerId && o.environment === scope.environment);
      if (hit) return hit;
    }
    return undefined;
  }

  /** An order the batch read or created after its first lock: later events of the batch share this copy too. */
  add(order: Order): void {
    if (!this.orders.includes(order)) this.orders.push(order);
  }

  forget(): void {
    this.orders = [];
  }
}

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return results;
}

/**
 * What a batch puts off to the end of its transaction. Orders' changes: every order the batch changed is written
 * in one statement (written before anything reads orders from the database again: a refund, saved-card or
 * subscription handler, or the commit). Invoice issuances: run just before the commit, ONE statement per partner
 * and environment (OrderSettlement.issueDeferred), so the partner's invoice-number row is locked for that statement
 * and the commit, not for a round trip per invoice. The events come grouped by tenant (applyBatch), so the
 * statements take the partners' locks in the same order in every batch.
 */
export class BatchWrites implements ApplyingBatch {
  private issues: { scope: TenantScope; partner: Partner; invoice: DeferredInvoice }[] = [];
  private changes = new Map<string, { scope: TenantScope; order: Order }>();

  constructor(
    private readonly tx: Tx,
    private readonly orders: OrderRepository,
    private readonly settlement: Pick<OrderSettlement, 'issueDeferred'>,
  ) {}

  defer(scope: TenantScope, partner: Partner, invoice: DeferredInvoice): void {
    this.issues.push({ scope, partner, invoice });
  }

  changed(scope: TenantScope, order: Order): void {
    this.changes.set(order.id, { scope, order });
  }

  /** Writes the orders changed so far. */
  async flushOrders(): Promise<void> {
    const changes = [...this.changes.values()];
    this.changes.clear();
    await this.orders.saveApplied(this.tx, changes);
  }

  /** Writes the orders, then issues the invoices deferred so far: one statement per run of the same tenant. */
  async flush(): Promise<void> {
    await this.flushOrders();
    const issues = this.issues;
    this.issues = [];
    for (let from = 0; from < issues.length; ) {
      const { scope, partner } = issues[from];
      let to = from + 1;
      while (to < issues.length && sameTenant(issues[to].scope, scope)) to++;
      await this.settlement.issueDeferred(this.tx, scope, partner, issues.slice(from, to).map((i) => i.invoice));
      from = to;
    }
  }
}

function sameTenant(a: TenantScope, b: TenantScope): boolean {
  return a.partnerId === b.partnerId && a.environment === b.environment;
}
