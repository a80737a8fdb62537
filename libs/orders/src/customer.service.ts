import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Customer, newId, TenantScope } from '@app/database';
import { StripeClient } from '@app/stripe';

export interface CustomerInput {
  email: string;
  name?: string | null;
  external_id?: string | null;
}

/** One Stripe Customer per partner customer (seed 003's `user_stripe_id`), created on first purchase. */
@Injectable()
export class CustomerService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeClient,
  ) {}

  async findOrCreate(scope: TenantScope, input: CustomerInput): Promise<Customer> {
    const lookupKey = input.external_id ? `ext:${input.external_id}` : `email:${input.email.toLowerCase()}`;
    const repo = this.db.getRepository(Customer);
    const existing = await repo.findOneBy({ partnerId: scope.partnerId, environment: scope.environment, lookupKey });
    if (existing) {
      if (existing.email !== input.email || (input.name && existing.name !== input.name)) {
        await this.stripe.for(scope.environment).customers.update(existing.stripeCustomerId, { email: input.email, ...(input.name ? { name: input.name } : {}) });
        existing.email = input.email;
        existing.name = input.name ?? existing.name;
        await repo.save(existing);
      }
      return existing;
    }
    // Concurrent first purchases of the same customer reuse one Stripe
    // Customer: Stripe replays the response for the same idempotency key.
    const idempotencyKey = 'cus-' + createHash('sha256').update(`${scope.partnerId}|${scope.environment}|${lookupKey}`).digest('hex').slice(0, 40);
    const stripeCustomer = await this.stripe.for(scope.environment).customers.create(
      {
        email: input.email,
        name: input.name ?? undefined,
        metadata: { partner_id: scope.partnerId, ...(input.external_id ? { external_id: input.external_id } : {}) },
      },
      { idempotencyKey },
    );
    await repo
      .createQueryBuilder()
      .insert()
      .values({
        id: newId('cust'),
        partnerId: scope.partnerId,
        environment: scope.environment,
        lookupKey,
        externalId: input.external_id ?? null,
        email: input.email,
        name: input.name ?? null,
        stripeCustomerId: stripeCustomer.id,
      })
      .orIgnore()
      .execute();
    return repo.findOneByOrFail({ partnerId: scope.partnerId, environment: scope.environment, lookupKey });
  }
}
