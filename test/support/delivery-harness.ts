import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { asTx, newId, scopeForOperator, TenantScope } from '@app/database';
import { EndpointControlService, OutboxService, PartnerEventType } from '@app/webhooks';
import { TestStack } from './test-stack';

export interface Published {
  messageId: string;
  orderId: string | null;
  createdAt: number;
}

/**
 * Puts messages into the outbox the way the order and invoice services do
 * (OutboxService inside a transaction, whose commit NOTIFYs the delivery
 * engine), without paying a checkout for each: the engine tests need
 * thousands of them, about real orders, fast.
 */
export class DeliveryHarness {
  constructor(private readonly stack: TestStack) {}

  private get db(): DataSource {
    return this.stack.api.get(DataSource, { strict: false });
  }

  async partner(): Promise<{ scope: TenantScope; token: string; id: string }> {
    const p = await this.stack.createPartner({ invoice_prefix: `D${randomBytes(2).toString('hex').toUpperCase()}` });
    // The harness stands where an operator would: it sets up a partner's data on its behalf.
    return { scope: scopeForOperator(p, 'staging'), token: p.api_keys.test, id: p.id };
  }

  async endpoint(token: string, url: string, settings: { maxInFlight?: number; ratePerSecond?: number; eventTypes?: string[] } = {}) {
    const ep = await this.stack.createEndpoint(token, url, settings.eventTypes ? { event_types: settings.eventTypes } : {});
    if (settings.maxInFlight || settings.ratePerSecond) {
      const [owner] = await this.stack.sql<{ partner_id: string }>(`SELECT partner_id FROM endpoints WHERE id = $1`, [ep.id]);
      const scope = scopeForOperator({ id: owner.partner_id }, 'staging');
      await this.stack.api.get(EndpointControlService, { strict: false }).configure(scope, ep.id, {
        max_in_flight: settings.maxInFlight,
        rate_limit_per_second: settings.ratePerSecond,
      });
    }
    return ep;
  }

  async orders(scope: TenantScope, count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => newId('ord'));
    await this.stack.sql(
      `INSERT INTO orders (id, partner_id, environment, status, currency, amount_total, line_items)
       SELECT id, $2, $3, 'paid', 'eur', 1000, '[]' FROM unnest($1::text[]) AS id`,
      [ids, scope.partnerId, scope.environment],
    );
    return ids;
  }

  /** One message per (order, type) pair, committed together: the commit wakes the engine, as in production. */
  async publish(scope: TenantScope, items: { orderId: string | null; type: string; data?: Record<string, unknown> }[]): Promise<Published[]> {
    const outbox = this.stack.api.get(OutboxService, { strict: false });
    const createdAt = new Date();
    return this.db.transaction(async (tx) => {
      const firstDelivery: string[] = [];
      for (const item of items) {
        const ids = await outbox.record(asTx(tx), scope, item.type as PartnerEventType, item.orderId, (item.data ?? { id: item.orderId }) as never, createdAt);
        firstDelivery.push(ids[0]);
      }
      const rows: { id: string; message_id: string }[] = await tx.query(`SELECT id, message_id FROM deliveries WHERE id = ANY($1)`, [firstDelivery]);
      const messageOf = new Map(rows.map((r) => [r.id, r.message_id]));
      return items.map((item, i) => ({ messageId: messageOf.get(firstDelivery[i])!, orderId: item.orderId, createdAt: createdAt.getTime() }));
    });
  }

  async attemptsOf(messageId: string) {
    return this.stack.sql<{ attempted_at: Date; status_code: number | null; error: string | null }>(
      `SELECT attempted_at, status_code, error FROM attempts WHERE message_id = $1 ORDER BY attempted_at`,
      [messageId],
    );
  }

  async deliveryOf(messageId: string) {
    const [row] = await this.stack.sql<{ status: string; attempt_count: number; next_attempt_at: Date | null; last_attempt_at: Date | null; failed_reason: string | null }>(
      `SELECT status, attempt_count, next_attempt_at, last_attempt_at, failed_reason FROM deliveries WHERE message_id = $1`,
      [messageId],
    );
    return row;
  }
}

/** p-th percentile (0..100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
