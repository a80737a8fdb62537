import { Body, Controller, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { parseInput } from '@app/errors';
import { CreatePaymentIntentInput, PaymentElementService } from '@app/orders';
import { AuthenticatedPartner } from '@app/partners';
import { CurrentPartner, PartnerAuthGuard } from '../auth/partner-auth.guard';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { EXAMPLE_PAYMENT_INTENT } from '../openapi/payment-examples';
import { createPaymentIntentSchema, updatePaymentIntentSchema } from './payments.schemas';
import { IdempotencyKey } from '../idempotency/idempotency-key.decorator';

@Controller('v1/payment-intents')
@UseGuards(PartnerAuthGuard)
export class PaymentIntentsController {
  constructor(private readonly payments: PaymentElementService) {}

  @ApiDoc('PaymentIntents', 'partner', {
    summary: 'Create a PaymentIntent for the Payment Element',
    description: 'The amount is computed here from the lines; give the returned client_secret to Stripe.js. The order is pending until payment_intent.succeeded.',
    body: createPaymentIntentSchema,
    bodyExample: { customer_id: 'cust_Vb8nM2kL4pQ6rS8tU0wX2y', line_items: [{ name: 'Lampe Aurore', quantity: 2, unit_amount: 4990 }] },
    response: { status: 201, description: 'The intent and its pending order', example: EXAMPLE_PAYMENT_INTENT },
    errors: ['validation_failed', 'not_found', 'stripe_error'],
    idempotent: true,
  })
  @Post()
  @HttpCode(201)
  async create(@CurrentPartner() auth: AuthenticatedPartner, @Body() body: unknown, @IdempotencyKey() idempotencyKey?: string) {
    const input = parseInput(createPaymentIntentSchema, body) as CreatePaymentIntentInput;
    return this.payments.create(auth, auth.partner, input, idempotencyKey);
  }

  @ApiDoc('PaymentIntents', 'partner', { summary: 'Get a PaymentIntent', response: { status: 200, description: 'The intent and its order', example: EXAMPLE_PAYMENT_INTENT }, errors: ['not_found', 'stripe_error'] })
  @Get(':id')
  async get(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    return this.payments.get(auth, id);
  }

  @ApiDoc('PaymentIntents', 'partner', {
    summary: 'Change the basket before the customer pays',
    description: 'Replaces the lines and the amount of the order and of the intent together. Refused (409 payment_not_updatable) once the customer has paid.',
    body: updatePaymentIntentSchema,
    bodyExample: { line_items: [{ name: 'Lampe Aurore', quantity: 3, unit_amount: 4990 }] },
    response: { status: 200, description: 'The updated intent', example: { ...EXAMPLE_PAYMENT_INTENT, amount_total: 14970, line_items: [{ name: 'Lampe Aurore', quantity: 3, unit_amount: 4990, vat_rate: 20, amount_total: 14970 }] } },
    errors: ['validation_failed', 'not_found', 'payment_not_updatable', 'stripe_error'],
  })
  @Patch(':id')
  async update(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string, @Body() body: unknown) {
    return this.payments.update(auth, auth.partner, id, parseInput(updatePaymentIntentSchema, body));
  }
}
