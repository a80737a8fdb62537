import { Module } from '@nestjs/common';
import { MailModule } from '@app/mail';
import { AttemptRecordRepository } from './attempt-record.repository';
import { DeliveryClaimRepository } from './delivery-claim.repository';
import { WaitingEndpointsRepository } from './waiting-endpoints.repository';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryService } from './delivery.service';
import { EndpointControlService } from './endpoint-control.service';
import { EndpointDisabledNoticeService } from './endpoint-disabled-notice.service';
import { EndpointHealthService } from './endpoint-health.service';
import { EndpointRepository } from './endpoint.repository';
import { EndpointService } from './endpoint.service';
import { MessageReplayService } from './message-replay.service';
import { MessageRepository } from './message.repository';
import { PingService } from './ping.service';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';
import { WebhookSender } from './webhook-sender';

@Module({
  imports: [MailModule],
  providers: [
    EndpointService,
    OutboxService,
    OutboxRepository,
    DeliveryService,
    DeliveryRepository,
    EndpointRepository,
    WebhookSender,
    DeliveryClaimRepository,
    WaitingEndpointsRepository,
    AttemptRecordRepository,
    EndpointHealthService,
    EndpointControlService,
    EndpointDisabledNoticeService,
    MessageRepository,
    MessageReplayService,
    PingService,
  ],
  exports: [
    EndpointService,
    OutboxService,
    DeliveryService,
    EndpointHealthService,
    EndpointControlService,
    EndpointDisabledNoticeService,
    MessageRepository,
    MessageReplayService,
    PingService,
  ],
})
export class WebhooksModule {}
