import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { parseInput } from '@app/errors';
import { CheckoutService } from '@app/orders';
import { AuthenticatedPartner } from '@app/partners';
import { CurrentPartner, PartnerAuthGuard } from '../auth/partner-auth.guard';
import { createCheckoutSchema } from './partner-api.schemas';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('v1/checkout-sessions')
@UseGuards(PartnerAuthGuard)
export class CheckoutSessionsController {
  constructor(private readonly checkout: CheckoutService) {}

  @ApiDoc('Checkout', 'partner', { summary: 'Create a Stripe Checkout Session for a basket', description: 'Amounts are computed here from the lines (VAT-inclusive unit prices, minor units). hosted returns url; embedded returns client_secret.', body: createCheckoutSchema, bodyExample: { customer: { email: 'camille@example.com', name: 'Camille Martin' }, line_items: [{ name: 'Lampe Aurore', quantity: 2, unit_amount: 4990 }], success_url: 'https://shop.example.com/merci', partner_order_ref: 'CMD-1001' }, response: { status: 201, description: 'The pending order and the session', example: { order_id: 'ord_mQbAK6GYT2HwtVRTXVSAD0', checkout_session_id: 'cs_test_a1B2c3D4', url: 'https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4' } }, errors: ['validation_failed', 'stripe_error'], idempotent: true })
  @Post()
  @HttpCode(201)
  async create(@CurrentPartner() auth: AuthenticatedPartner, @Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string) {
    // The key's format is checked by the idempotency interceptor, which runs first; Stripe gets it too.
    return this.checkout.create(auth, auth.partner, parseInput(createCheckoutSchema, body), idempotencyKey);
  }
}
