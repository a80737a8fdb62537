import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { parseInput } from '@app/errors';
import { CheckoutService, CreateCheckoutInput } from '@app/orders';
import { AuthenticatedPartner } from '@app/partners';
import { CurrentPartner, PartnerAuthGuard } from '../auth/partner-auth.guard';
import { createCheckoutSchema } from './payments.schemas';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { IdempotencyKey } from '../idempotency/idempotency-key.decorator';

@Controller('v1/checkout-sessions')
@UseGuards(PartnerAuthGuard)
export class CheckoutSessionsController {
  constructor(private readonly checkout: CheckoutService) {}

  @ApiDoc('Checkout', 'partner', {
    summary: 'Create a Stripe Checkout Session: pay a basket, save a card, or start a subscription',
    description:
      'Amounts are computed here from the lines (minor units), never taken from the browser. mode=payment creates a pending order; mode=setup saves a card for later charges (customer.payment_method_saved follows); mode=subscription starts a subscription whose every paid period becomes an order and an invoice. hosted returns url; embedded returns client_secret.',
    body: createCheckoutSchema,
    bodyExample: { customer: { email: 'camille@example.com', name: 'Camille Martin' }, line_items: [{ name: 'Lampe Aurore', quantity: 2, unit_amount: 4990 }], success_url: 'https://shop.example.com/merci', partner_order_ref: 'CMD-1001' },
    response: {
      status: 201,
      description: 'The session, with the pending order (payment) or subscription (subscription)',
      example: { mode: 'payment', order_id: 'ord_mQbAK6GYT2HwtVRTXVSAD0', customer_id: 'cust_Vb8nM2kL4pQ6rS8tU0wX2y', checkout_session_id: 'cs_test_a1B2c3D4', url: 'https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4' },
    },
    errors: ['validation_failed', 'not_found', 'stripe_error'],
    idempotent: true,
  })
  @Post()
  @HttpCode(201)
  async create(@CurrentPartner() auth: AuthenticatedPartner, @Body() body: unknown, @IdempotencyKey() idempotencyKey?: string) {
    // The key's format is checked by the idempotency interceptor, which runs first; Stripe gets it too.
    // The schema's refinements guarantee the mode's shape (lines or not, recurring or not).
    const input = parseInput(createCheckoutSchema, body) as CreateCheckoutInput;
    return this.checkout.create(auth, auth.partner, input, idempotencyKey);
  }
}
