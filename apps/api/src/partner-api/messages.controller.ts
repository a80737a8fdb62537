import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { parseInput } from '@app/errors';
import { AuthenticatedPartner } from '@app/partners';
import { MessageReplayService, MessageRepository } from '@app/webhooks';
import { CurrentPartner, PartnerAuthGuard } from '../auth/partner-auth.guard';
import { listOf } from './paging';
import { listMessagesQuery, resendBody } from './partner-queries.schemas';
import { attemptView, messageView } from './partner-views';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { EXAMPLE_ATTEMPT, EXAMPLE_MESSAGE, list } from '../openapi/examples';

@Controller('v1/messages')
@UseGuards(PartnerAuthGuard)
export class MessagesController {
  constructor(
    private readonly messages: MessageRepository,
    private readonly replay: MessageReplayService,
  ) {}

  @ApiDoc('Messages', 'partner', { summary: 'List messages sent to your endpoints', query: listMessagesQuery, response: { status: 200, description: 'Newest first; pass next_cursor as cursor for the next page', example: list(EXAMPLE_MESSAGE) }, errors: ['validation_failed'] })
  @Get()
  async list(@CurrentPartner() auth: AuthenticatedPartner, @Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(listMessagesQuery, query);
    return listOf(() => this.messages.list(auth, filters, { limit, cursor }), (m) => messageView(m));
  }

  /** The payload and, for each endpoint, where its delivery stands. */
  @ApiDoc('Messages', 'partner', { summary: 'Get a message with its payload and each endpoint\'s delivery status', response: { status: 200, description: 'The message', example: EXAMPLE_MESSAGE }, errors: ['not_found'] })
  @Get(':id')
  async get(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    const message = await this.messages.get(auth, id);
    return messageView(message, await this.messages.deliveriesOf(auth, id));
  }

  @ApiDoc('Messages', 'partner', { summary: 'Every attempt to deliver a message', response: { status: 200, description: 'Attempts, oldest first', example: { object: 'list', data: [EXAMPLE_ATTEMPT] } }, errors: ['not_found'] })
  @Get(':id/attempts')
  async attempts(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    return { object: 'list', data: (await this.messages.attemptsOfMessage(auth, id)).map(attemptView) };
  }

  /** Same `webhook-id`, same body: partners that deduplicate on the id stay correct. */
  @ApiDoc('Messages', 'partner', { summary: 'Send a message again, with its original webhook-id', body: resendBody, response: { status: 202, description: 'Deliveries scheduled', example: { object: 'resend', message_id: EXAMPLE_MESSAGE.id, scheduled: 1 } }, errors: ['validation_failed', 'not_found'], idempotent: true })
  @Post(':id/resend')
  @HttpCode(202)
  async resend(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string, @Body() body: unknown) {
    const { endpoint_id } = parseInput(resendBody, body ?? {});
    const { deliveryIds } = await this.replay.resend(auth, id, endpoint_id);
    return { object: 'resend', message_id: id, scheduled: deliveryIds.length };
  }
}
