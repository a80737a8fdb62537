import { Module } from '@nestjs/common';
import { InvoicingModule } from '@app/invoicing';
import { PartnersModule } from '@app/partners';
import { StripeModule } from '@app/stripe';
import { WebhooksModule } from '@app/webhooks';
import { CheckoutService } from './checkout.service';
import { CustomerRepository } from './customer.repository';
import { CustomerService } from './customer.service';
import { OrderRepository } from './order.repository';
import { PaymentEventService } from './payment-event.service';
import { OffSessionChargeService } from './off-session-charge.service';
import { OrderSettlement } from './order-settlement';
import { PaymentElementService } from './payment-element.service';
import { RefundService } from './refund.service';
import { SavedCardHandler } from './saved-card.handler';
import { SubscriptionCheckoutService } from './subscription-checkout.service';
import { SubscriptionEventHandler } from './subscription-event.handler';
import { SubscriptionRepository } from './subscription.repository';
import { SubscriptionService } from './subscription.service';

@Module({
  imports: [StripeModule, InvoicingModule, WebhooksModule, PartnersModule],
  providers: [
    CheckoutService,
    CustomerRepository,
    CustomerService,
    OffSessionChargeService,
    OrderRepository,
    OrderSettlement,
    PaymentElementService,
    PaymentEventService,
    RefundService,
    SavedCardHandler,
    SubscriptionCheckoutService,
    SubscriptionEventHandler,
    SubscriptionRepository,
    SubscriptionService,
  ],
  exports: [CheckoutService, CustomerService, OffSessionChargeService, OrderRepository, PaymentElementService, PaymentEventService, SubscriptionService],
})
export class OrdersModule {}
