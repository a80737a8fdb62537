import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryNamedOnPool } from '@app/database';
import { NOT_HELD_BACK_BY_ITS_ORDER_SQL, waitingSql } from './delivery.repository';

/**
 * The looks for endpoints that no wake-up brought: the dispatcher's short poll (a skipped announcement, a claim that
 * raced a commit), its heartbeat's look for lapsed leases (a dead worker's endpoints) and the sweeper's (what Redis
 * lost). Each reads endpoints and their first waiting delivery, writes nothing, and hands out only endpoint ids, for
 * the claim (DeliveryClaimRepository) to decide what is sent.
 */
@Injectable()
export class WaitingEndpointsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Endpoints free or held by `owner` (this worker) with a delivery due for more than `graceMs`: one whose
   * announcement was skipped (OutboxRepository) or raced a claim. The caller skips those it already knows about (a
   * send that ends pumps its endpoint); naming them in `skip` spares their walk, which during a backlog is every
   * endpoint's (see ENDPOINTS_WAITING).
   * @crossTenant only endpoint ids leave it, to be claimed for.
   */
  async endpointsWaiting(owner: string, graceMs: number, skip: readonly string[] = [], limit = 200): Promise<string[]> {
    const { rows } = await queryNamedOnPool<{ id: string }>(this.db, ENDPOINTS_WAITING, [graceMs, limit, owner, skip]);
    return rows.map((r) => r.id);
  }

  /**
   * Endpoints whose lease ran out with due work: their worker died (or stopped renewing) mid-send.
   * @crossTenant only endpoint ids leave it, to be claimed for.
   */
  async endpointsWithLapsedLeases(limit = 100): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT e.id FROM endpoints e
       WHERE e.lease_until < now() AND e.enabled AND e.deleted_at IS NULL
         AND EXISTS (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id AND ${waitingSql('d')} AND d.next_attempt_at <= now())
       LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Endpoints with due deliveries that no live endpoint lease covers: what Redis should have woken and did not
   * (a lapsed lease's worker died or stopped mid-send).
   * @crossTenant the sweeper's set-based look over every partner; only endpoint ids leave it, to be woken.
   */
  async dueEndpoints(cutoff: Date, limit = 1000): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(DUE_UNLEASED_ENDPOINTS_SQL, [cutoff, limit]);
    return rows.map((r) => r.id);
  }
}

/**
 * The waiting-endpoint poll: $1 grace (ms), $2 limit, $3 this worker, $4 endpoints to skip. One walk per enabled
 * endpoint of its due deliveries in deliveries_endpoint_waiting (see waitingSql), stopping at the first one not held
 * back: LATERAL with LIMIT 1, since as an EXISTS PostgreSQL joined the endpoints to a walk of every due delivery,
 * checking the ordering rule for each. The walk starts at the endpoint's oldest entry, so it also steps over the
 * entries of deliveries recorded since the last vacuum: ~0.7 ms per busy endpoint in a drain of 20,000, every 100 ms,
 * for an answer the caller then threw away; the skipped endpoints ($4, a hashed subplan as in dueDeliveriesSql) are
 * not walked. Named: as text it was planned again at each call.
 */
export const ENDPOINTS_WAITING = {
  name: 'delivery_endpoints_waiting',
  // Not an endpoint that waits on purpose (open circuit, rate pacing: their wake-up is scheduled), nor one
  // another live worker holds (it pumps it), nor a delivery held back by an earlier one of its order.
  text: `SELECT e.id FROM endpoints e
       CROSS JOIN LATERAL (
         SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id AND ${waitingSql('d')}
           AND d.next_attempt_at <= now() - $1::float8 * interval '1 millisecond' AND ${NOT_HELD_BACK_BY_ITS_ORDER_SQL}
         LIMIT 1) w
       WHERE e.enabled AND e.deleted_at IS NULL AND e.circuit_state = 'closed' AND (e.rate_next_at IS NULL OR e.rate_next_at <= now())
         AND (e.lease_until IS NULL OR e.lease_until < now() OR e.lease_owner = $3::text)
         AND e.id NOT IN (SELECT unnest($4::text[]))
       LIMIT $2::int`,
};

/**
 * The sweeper's look ($1 cutoff, $2 limit): endpoints no live lease covers with a delivery due before the cutoff. Per
 * such endpoint, one probe of its first due entry in deliveries_endpoint_waiting. Before, a walk of every pending
 * delivery due (deliveries_due) joined to its endpoint and grouped: 25 ms a sweep at 20,000 pending (bench:delivery's
 * drain over 200 endpoints, swept every second), for the few endpoints not leased. The ORDER BY is the index's: without
 * it PostgreSQL answered LIMIT 1 with a scan of deliveries, through every delivered one, until a match.
 */
export const DUE_UNLEASED_ENDPOINTS_SQL = `SELECT e.id FROM endpoints e
  CROSS JOIN LATERAL (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id AND ${waitingSql('d')} AND d.next_attempt_at < $1
                      ORDER BY d.next_attempt_at LIMIT 1) due
  WHERE (e.lease_until IS NULL OR e.lease_until < now()) AND e.enabled AND e.deleted_at IS NULL
  LIMIT $2`;
