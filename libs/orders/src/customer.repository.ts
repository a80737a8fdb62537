import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Customer, Environment } from '@app/database';

/** The partners' customers (the people who pay them), as we mirror them in Stripe. */
@Injectable()
export class CustomerRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * @crossTenant Stripe event routing: a card, or the PaymentIntent Stripe makes for a subscription's invoice, carries
   * none of our metadata, so its Stripe customer says whose it is. Only the partner id leaves this method, and only
   * to build the event's scope.
   */
  async partnerOfStripeCustomer(environment: Environment, stripeCustomerId: string): Promise<string | null> {
    const customer = await this.db.getRepository(Customer).findOne({ where: { stripeCustomerId, environment }, select: { id: true, partnerId: true } });
    return customer?.partnerId ?? null;
  }
}
