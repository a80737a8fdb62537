import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { parseInput } from '@app/errors';
import { SubscriptionService } from '@app/orders';
import { AuthenticatedPartner } from '@app/partners';
import { CurrentPartner, PartnerAuthGuard } from '../auth/partner-auth.guard';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { list } from '../openapi/examples';
import { EXAMPLE_SUBSCRIPTION } from '../openapi/payment-examples';
import { listOf } from './paging';
import { cancelSubscriptionSchema, listSubscriptionsQuery } from './payments.schemas';

@Controller('v1/subscriptions')
@UseGuards(PartnerAuthGuard)
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionService) {}

  @ApiDoc('Subscriptions', 'partner', { summary: 'List subscriptions', query: listSubscriptionsQuery, response: { status: 200, description: 'Newest first', example: list(EXAMPLE_SUBSCRIPTION) }, errors: ['validation_failed'] })
  @Get()
  async list(@CurrentPartner() auth: AuthenticatedPartner, @Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(listSubscriptionsQuery, query);
    return listOf(() => this.subscriptions.list(auth, filters, { limit, cursor }), (subscription) => subscription);
  }

  @ApiDoc('Subscriptions', 'partner', { summary: 'Get a subscription', response: { status: 200, description: 'The subscription', example: EXAMPLE_SUBSCRIPTION }, errors: ['not_found'] })
  @Get(':id')
  async get(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    return this.subscriptions.get(auth, id);
  }

  @ApiDoc('Subscriptions', 'partner', {
    summary: 'Cancel a subscription, now or at the end of the paid period',
    description: 'subscription.updated (at_period_end) or subscription.canceled follows once Stripe confirms.',
    body: cancelSubscriptionSchema,
    bodyExample: { at_period_end: true },
    response: { status: 200, description: 'The subscription as Stripe now has it', example: { ...EXAMPLE_SUBSCRIPTION, cancel_at_period_end: true } },
    errors: ['validation_failed', 'not_found', 'subscription_canceled', 'conflict', 'stripe_error'],
    idempotent: true,
  })
  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string, @Body() body: unknown) {
    return this.subscriptions.cancel(auth, id, parseInput(cancelSubscriptionSchema, body ?? {}).at_period_end);
  }
}
