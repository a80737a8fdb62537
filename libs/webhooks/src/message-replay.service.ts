import { Injectable } from '@nestjs/common';
import { Endpoint, Message, newId, TenantScope, Tx, UnitOfWork } from '@app/database';
import { AppError } from '@app/errors';
import { JobQueue } from '@app/queue';
import { DeliveryRepository } from './delivery.repository';
import { EndpointRepository } from './endpoint.repository';

export interface ReplayResult {
  /** Deliveries scheduled again, in the order they will be sent. */
  deliveryIds: string[];
}

/**
 * Sends messages again, with their original `webhook-id` and body, so a
 * partner that deduplicates on the id stays correct. A replayed delivery is
 * the same row made pending again, with a fresh retry schedule: its earlier
 * attempts stay in its history (the attempts table).
 */
@Injectable()
export class MessageReplayService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly deliveries: DeliveryRepository,
    private readonly endpoints: EndpointRepository,
    private readonly queue: JobQueue,
  ) {}

  /** To one endpoint, or to every endpoint of the environment subscribed to the message's type. */
  async resend(scope: TenantScope, messageId: string, endpointId?: string): Promise<ReplayResult> {
    const deliveryIds = await this.uow.run(async (tx) => {
      const message = await this.deliveries.message(tx, scope, messageId);
      if (!message) throw AppError.notFound('message', messageId);
      const endpoints = endpointId ? [await this.endpointOf(tx, scope, endpointId)] : await this.endpoints.subscribed(tx, scope, message.type);
      const ids: string[] = [];
      for (const endpoint of endpoints) ids.push(await this.reschedule(tx, scope, message, endpoint));
      return ids;
    });
    await this.schedule(scope, deliveryIds);
    return { deliveryIds };
  }

  /**
   * Every message of the window not yet delivered to this endpoint (failed,
   * or still waiting on retries), in their original order. A recovery is the
   * partner saying its endpoint is back, so the circuit is closed again too.
   */
  async recover(scope: TenantScope, endpointId: string, since: Date, until = new Date()): Promise<ReplayResult> {
    if (since >= until) throw AppError.validation([{ field: 'since', message: 'must be before until' }]);
    const deliveryIds = await this.uow.run(async (tx) => {
      const endpoint = await this.endpointOf(tx, scope, endpointId);
      const failed = await this.deliveries.undelivered(tx, scope, endpoint.id, since, until);
      await this.endpoints.closeCircuit(tx, scope, endpoint.id);
      // One ordering key for the whole recovery: the engine holds each delivery
      // back until the earlier ones of the same key are settled, so the partner
      // receives the recovered messages one by one, in their original order.
      const stream = newId('recovery');
      for (const id of failed) await this.deliveries.makePending(tx, scope, id, stream);
      return failed;
    });
    await this.schedule(scope, deliveryIds);
    return { deliveryIds };
  }

  private async endpointOf(tx: Tx, scope: TenantScope, id: string): Promise<Endpoint> {
    const endpoint = await this.endpoints.live(scope, id, tx);
    if (!endpoint) throw AppError.notFound('endpoint', id);
    return endpoint;
  }

  private async reschedule(tx: Tx, scope: TenantScope, message: Message, endpoint: Endpoint): Promise<string> {
    const delivery = await this.deliveries.forMessage(tx, scope, message, endpoint.id);
    if (!delivery.created) await this.deliveries.makePending(tx, scope, delivery.id);
    return delivery.id;
  }

  /** Wakes the endpoints concerned; the engine sends what PostgreSQL says is due (the sweeper covers a lost wake). */
  private async schedule(scope: TenantScope, deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    const at = Date.now();
    await this.queue.tryEnqueueBulk('wake-endpoint', (await this.deliveries.endpointsOf(scope, deliveryIds)).map((endpointId) => ({ endpointId, at })));
  }
}
