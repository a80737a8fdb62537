import { isUtf8 } from 'node:buffer';
import { Injectable } from '@nestjs/common';
import { AppError } from '@app/errors';
import { metrics } from '@app/observability';
import { StripeWebhookVerifier } from '@app/stripe';
import { InboxWriter } from './inbox-writer';

export type IngestOutcome = 'stored' | 'duplicate';

/** Stripe ingest: verify, commit to the inbox, answer. No business work here. */
@Injectable()
export class StripeIngestService {
  constructor(
    private readonly verifier: StripeWebhookVerifier,
    private readonly inbox: InboxWriter,
  ) {}

  /** Resolves once the event is committed (or known already); throws an AppError for a refused one. */
  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<IngestOutcome> {
    if (!rawBody || rawBody.length === 0) throw new AppError('invalid_json', 'The event body is empty.');
    let event;
    try {
      event = this.verifier.verify(rawBody, signature);
    } catch (err) {
      metrics.stripeEventsReceived.inc({ type: 'unknown', outcome: 'rejected' });
      throw err;
    }
    // The inbox stores the verifier's decoded text: it must be the bytes Stripe signed, not a lossy decoding of them.
    if (!isUtf8(rawBody)) throw new AppError('invalid_json', 'The event body is not UTF-8 JSON.');
    const outcome = await this.inbox.accept({ id: event.id, type: event.type, livemode: event.livemode, json: event.json });
    metrics.stripeEventsReceived.inc({ type: event.type, outcome });
    return outcome;
  }
}
