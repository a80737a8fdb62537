import { Injectable } from '@nestjs/common';
import { JobPayloads } from '@app/queue';
import { DeliveryDispatcher } from '@app/webhooks';

/** Delivery jobs only wake an endpoint; what to send is decided from PostgreSQL. */
@Injectable()
export class DeliveryProcessor {
  constructor(private readonly dispatcher: DeliveryDispatcher) {}

  async handleWake({ endpointId, at }: JobPayloads['wake-endpoint']): Promise<void> {
    // BullMQ may run a delayed job a few ms early; a wake before the retry is
    // due would find nothing and re-add the very job that is running (same id).
    const early = at - Date.now();
    if (early > 0 && early < 1000) await new Promise((r) => setTimeout(r, early + 1));
    await this.dispatcher.pump(endpointId);
  }
}
