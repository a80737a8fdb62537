import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { Endpoint, newId, TenantScope, UnitOfWork } from '@app/database';
import { AppError } from '@app/errors';
import { DELIVERY_LIMITS, EndpointDeliveryLimits } from './endpoint-control.service';
import { EndpointLimits, EndpointRepository } from './endpoint.repository';
import { endpointUrlProblem } from './endpoint-url';
import { SecretBox } from './secret-box';
import { generateSigningSecret } from './webhook-signature';

export const MAX_ENDPOINTS_PER_ENVIRONMENT = 10;
/** How long the previous secret keeps signing after a rotation. */
export const SECRET_ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

export interface CreateEndpointInput extends EndpointDeliveryLimits {
  url: string;
  event_types?: string[];
  description?: string | null;
}

/** An endpoint with the delivery limits the claim enforces (columns the delivery engine owns). */
export type EndpointWithLimits = Endpoint & EndpointLimits;

export interface UpdateEndpointInput {
  url?: string;
  event_types?: string[];
  description?: string | null;
  enabled?: boolean;
}

@Injectable()
export class EndpointService {
  private readonly box: SecretBox;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly endpoints: EndpointRepository,
    private readonly config: AppConfig,
  ) {
    this.box = new SecretBox(config.encryptionKey);
  }

  async create(scope: TenantScope, input: CreateEndpointInput): Promise<{ endpoint: EndpointWithLimits; secret: string }> {
    this.checkUrl(scope, input.url);
    return this.uow.run(async (tx) => {
      await this.endpoints.lockScopeForCreation(tx, scope);
      if ((await this.endpoints.countLive(tx, scope)) >= MAX_ENDPOINTS_PER_ENVIRONMENT) {
        throw new AppError('conflict', `At most ${MAX_ENDPOINTS_PER_ENVIRONMENT} endpoints per environment; delete one first.`);
      }
      const secret = generateSigningSecret();
      const now = new Date();
      const endpoint: Endpoint = {
        id: newId('ep'),
        partnerId: scope.partnerId,
        environment: scope.environment,
        url: input.url,
        description: input.description ?? null,
        eventTypes: [...new Set(input.event_types ?? [])],
        secretEncrypted: this.box.seal(secret),
        previousSecretEncrypted: null,
        previousSecretExpiresAt: null,
        enabled: true,
        deletedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      const limits = { maxInFlight: input.max_in_flight ?? DELIVERY_LIMITS.maxInFlight.default, rateLimitPerSecond: input.rate_limit_per_second ?? null };
      await this.endpoints.insert(tx, scope, endpoint, limits);
      return { endpoint: Object.assign(endpoint, limits), secret };
    });
  }

  list(scope: TenantScope): Promise<Endpoint[]> {
    return this.endpoints.list(scope);
  }

  /** The same endpoints with their delivery limits, for the partner's view. */
  async withLimits(scope: TenantScope, endpoints: Endpoint[]): Promise<EndpointWithLimits[]> {
    const limits = await this.endpoints.limitsOf(scope, endpoints.map((e) => e.id));
    return endpoints.map((e) => Object.assign(e, limits.get(e.id)!));
  }

  async get(scope: TenantScope, id: string): Promise<Endpoint> {
    const endpoint = await this.endpoints.live(scope, id);
    if (!endpoint) throw AppError.notFound('endpoint', id);
    return endpoint;
  }

  async update(scope: TenantScope, id: string, input: UpdateEndpointInput): Promise<Endpoint> {
    const endpoint = await this.get(scope, id);
    if (input.url !== undefined) {
      this.checkUrl(scope, input.url);
      endpoint.url = input.url;
    }
    if (input.event_types !== undefined) endpoint.eventTypes = [...new Set(input.event_types)];
    if (input.description !== undefined) endpoint.description = input.description;
    if (input.enabled !== undefined) endpoint.enabled = input.enabled;
    return this.endpoints.saveSettings(scope, endpoint);
  }

  /** Soft delete: nothing more is sent to it, and its delivery history stays readable. */
  async delete(scope: TenantScope, id: string): Promise<void> {
    const endpoint = await this.get(scope, id);
    await this.endpoints.softDelete(scope, endpoint.id);
  }

  /** A new secret now; the old one keeps signing beside it for 24 hours, then stops. */
  async rotateSecret(scope: TenantScope, id: string): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    const endpoint = await this.get(scope, id);
    const secret = generateSigningSecret();
    const previousSecretExpiresAt = new Date(Date.now() + SECRET_ROTATION_OVERLAP_MS);
    await this.endpoints.replaceSecret(scope, endpoint.id, this.box.seal(secret), endpoint.secretEncrypted, previousSecretExpiresAt);
    return { secret, previousSecretExpiresAt };
  }

  secretOf(endpoint: Endpoint): string {
    return this.box.open(endpoint.secretEncrypted);
  }

  /**
   * Every secret that signs a message sent now: the current one, and during
   * the 24 hours after a rotation the previous one too, so a partner can
   * switch its verifier at any moment of that window.
   */
  signingSecretsOf(endpoint: Endpoint, now = new Date()): string[] {
    const secrets = [this.secretOf(endpoint)];
    if (endpoint.previousSecretEncrypted && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
      secrets.push(this.box.open(endpoint.previousSecretEncrypted));
    }
    return secrets;
  }

  private checkUrl(scope: TenantScope, url: string): void {
    const problem = endpointUrlProblem(url, scope.environment, this.config.webhookAllowPrivateNetworks);
    if (problem) throw AppError.validation([{ field: 'url', message: problem }]);
  }
}
