import { Module } from '@nestjs/common';
import { InvoicingModule } from '@app/invoicing';
import { StripeModule } from '@app/stripe';
import { WebhooksModule } from '@app/webhooks';
import { CheckoutService } from './checkout.service';
import { CustomerService } from './customer.service';
import { OrderRepository } from './order.repository';
import { PaymentEventService } from './payment-event.service';
import { RefundService } from './refund.service';

@Module({
  imports: [StripeModule, InvoicingModule, WebhooksModule],
  providers: [CheckoutService, CustomerService, OrderRepository, PaymentEventService, RefundService],
  exports: [CheckoutService, CustomerService, OrderRepository, PaymentEventService],
})
export class OrdersModule {}
