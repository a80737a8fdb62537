import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfig } from '@app/config';
import type { Environment } from '@app/database';
import { AppError } from '@app/errors';

/**
 * The official SDK, configured once per Stripe mode: staging uses the
 * test-mode key, production the live-mode key. With STRIPE_API_URL it talks
 * to another base URL (the project's emulator); the calling code is the same.
 */
@Injectable()
export class StripeClient {
  private readonly clients: Partial<Record<Environment, Stripe>> = {};

  constructor(config: AppConfig) {
    const options: Stripe.StripeConfig = { maxNetworkRetries: 2, timeout: 20_000, appInfo: { name: 'ComptAppart' } };
    if (config.stripeApiUrl) {
      const url = new URL(config.stripeApiUrl);
      options.host = url.hostname;
      options.port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      options.protocol = url.protocol.replace(':', '') as 'http' | 'https';
    }
    this.clients.staging = new Stripe(config.stripeSecretKey, options);
    if (config.stripeLiveSecretKey) this.clients.production = new Stripe(config.stripeLiveSecretKey, options);
  }

  for(environment: Environment): Stripe {
    const client = this.clients[environment];
    if (!client) throw new AppError('stripe_error', 'Production payments are not configured on this platform yet (no live-mode Stripe key).');
    return client;
  }
}
