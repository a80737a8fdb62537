import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { parseInput } from '@app/errors';
import { CustomerService, customerView, OffSessionChargeService } from '@app/orders';
import { AuthenticatedPartner } from '@app/partners';
import { CurrentPartner, PartnerAuthGuard } from '../auth/partner-auth.guard';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { list } from '../openapi/examples';
import { EXAMPLE_CHARGE, EXAMPLE_CUSTOMER } from '../openapi/payment-examples';
import { listOf } from './paging';
import { createChargeSchema, createCustomerSchema, listCustomersQuery } from './payments.schemas';
import { IdempotencyKey } from '../idempotency/idempotency-key.decorator';

@Controller('v1/customers')
@UseGuards(PartnerAuthGuard)
export class CustomersController {
  constructor(
    private readonly customers: CustomerService,
    private readonly charges: OffSessionChargeService,
  ) {}

  @ApiDoc('Customers', 'partner', {
    summary: 'Create or update a customer',
    description: 'Once per external_id: a repeat updates the same customer (and its Stripe Customer) and answers 200 instead of 201.',
    body: createCustomerSchema,
    bodyExample: { external_id: 'user-4821', email: 'camille@example.com', name: 'Camille Martin', locale: 'fr' },
    response: { status: 201, description: 'The customer', example: EXAMPLE_CUSTOMER },
    errors: ['validation_failed', 'stripe_error'],
    idempotent: true,
  })
  @Post()
  async upsert(@CurrentPartner() auth: AuthenticatedPartner, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const { customer, created } = await this.customers.upsert(auth, parseInput(createCustomerSchema, body));
    void reply.status(created ? 201 : 200);
    return customerView(customer);
  }

  @ApiDoc('Customers', 'partner', { summary: 'List customers', query: listCustomersQuery, response: { status: 200, description: 'Newest first', example: list(EXAMPLE_CUSTOMER) }, errors: ['validation_failed'] })
  @Get()
  async list(@CurrentPartner() auth: AuthenticatedPartner, @Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(listCustomersQuery, query);
    return listOf(() => this.customers.list(auth, filters, { limit, cursor }), customerView);
  }

  @ApiDoc('Customers', 'partner', { summary: 'Get a customer', response: { status: 200, description: 'The customer and its saved card', example: EXAMPLE_CUSTOMER }, errors: ['not_found'] })
  @Get(':id')
  async get(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    return customerView(await this.customers.get(auth, id));
  }

  @ApiDoc('Customers', 'partner', {
    summary: "Remove the customer's saved card",
    description: 'Detached on Stripe too: later charges need a new setup-mode checkout.',
    response: { status: 200, description: 'The customer, without payment_method', example: { ...EXAMPLE_CUSTOMER, payment_method: null } },
    errors: ['not_found', 'payment_method_missing', 'stripe_error'],
  })
  @Delete(':id/payment-method')
  async detach(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    return customerView(await this.customers.detachPaymentMethod(auth, id));
  }

  @ApiDoc('Customers', 'partner', {
    summary: 'Charge the saved card now, without the customer (off-session)',
    description:
      'Creates the order and charges the saved card. status succeeded: order.paid follows. status failed (declined, or the bank wants the customer to authenticate): the order becomes failed and order.payment_failed carries decline_code and next_action=customer_action_required. Send an Idempotency-Key: a retry with it charges once.',
    body: createChargeSchema,
    bodyExample: { line_items: [{ name: 'Lampe Aurore', quantity: 1, unit_amount: 4990 }], partner_order_ref: 'CMD-1002' },
    response: { status: 201, description: 'The order and what Stripe answered', example: EXAMPLE_CHARGE },
    errors: ['validation_failed', 'not_found', 'payment_method_missing', 'stripe_error'],
    idempotent: true,
  })
  @Post(':id/charges')
  @HttpCode(201)
  async charge(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string, @Body() body: unknown, @IdempotencyKey() idempotencyKey?: string) {
    return this.charges.charge(auth, auth.partner, id, parseInput(createChargeSchema, body), idempotencyKey);
  }
}
