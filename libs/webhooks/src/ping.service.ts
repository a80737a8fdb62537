import { Injectable } from '@nestjs/common';
import { Attempt, Message, newId, newSortableIds, TenantScope } from '@app/database';
import { AttemptRecordRepository } from './attempt-record.repository';
import { EndpointService } from './endpoint.service';
import { OutboxRepository } from './outbox.repository';
import { PartnerEventEnvelope } from './partner-events';
import { WebhookSender } from './webhook-sender';
import { webhookHeaders } from './webhook-signature';

/**
 * `POST /v1/endpoints/:id/test`: one signed `ping`, sent now, answered with
 * the attempt. A ping is recorded like any message (the partner sees it in
 * its logs) but never retried: the partner is watching the answer.
 */
@Injectable()
export class PingService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly attempts: AttemptRecordRepository,
    private readonly endpoints: EndpointService,
    private readonly sender: WebhookSender,
  ) {}

  async ping(scope: TenantScope, endpointId: string): Promise<{ message: Message; attempt: Attempt }> {
    const endpoint = await this.endpoints.get(scope, endpointId);
    const now = new Date();
    const envelope: PartnerEventEnvelope<'ping'> = {
      type: 'ping',
      timestamp: now.toISOString(),
      data: { endpoint_id: endpoint.id, message: 'Test message from ComptAppart: your endpoint is reachable.' },
    };
    const message: Message = { id: newId('msg'), partnerId: scope.partnerId, environment: scope.environment, type: 'ping', orderId: null, body: JSON.stringify(envelope), createdAt: now };
    const deliveryId = await this.outbox.insertPing(scope, message, endpoint.id);
    const headers = webhookHeaders(this.endpoints.signingSecretsOf(endpoint), message.id, Math.floor(Date.now() / 1000), message.body);
    const attemptedAt = new Date();
    const result = await this.sender.post(endpoint.url, headers, message.body);
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const attempt: Attempt = {
      id: newSortableIds('att', 1)[0],
      deliveryId,
      messageId: message.id,
      endpointId: endpoint.id,
      attemptedAt,
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      responseBody: result.responseBody,
      error: ok ? null : (result.error ?? `HTTP ${result.statusCode}`),
    };
    await this.attempts.recordPing(scope, attempt, ok);
    return { message, attempt };
  }
}
