import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AppConfig } from '@app/config';
import { Endpoint, newId, TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { DELIVERY_LIMITS, EndpointDeliveryLimits } from './endpoint-control.service';
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
export type EndpointWithLimits = Endpoint & { maxInFlight: number; rateLimitPerSecond: number | null };

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
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {
    this.box = new SecretBox(config.encryptionKey);
  }

  async create(scope: TenantScope, input: CreateEndpointInput): Promise<{ endpoint: EndpointWithLimits; secret: string }> {
    this.checkUrl(scope, input.url);
    return this.db.transaction(async (tx) => {
      // Serialises concurrent creations for one partner so the cap cannot be overshot.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`endpoints:${scope.partnerId}:${scope.environment}`]);
      const count = await tx.countBy(Endpoint, { partnerId: scope.partnerId, environment: scope.environment, deletedAt: IsNull() });
      if (count >= MAX_ENDPOINTS_PER_ENVIRONMENT) {
        throw new AppError('conflict', `At most ${MAX_ENDPOINTS_PER_ENVIRONMENT} endpoints per environment; delete one first.`);
      }
      const secret = generateSigningSecret();
      const endpoint = tx.create(Endpoint, {
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
      });
      await tx.save(endpoint);
      const limits = { maxInFlight: input.max_in_flight ?? DELIVERY_LIMITS.maxInFlight.default, rateLimitPerSecond: input.rate_limit_per_second ?? null };
      await tx.query('UPDATE endpoints SET max_in_flight = $2, rate_limit_per_second = $3 WHERE id = $1', [endpoint.id, limits.maxInFlight, limits.rateLimitPerSecond]);
      return { endpoint: Object.assign(endpoint, limits), secret };
    });
  }

  list(scope: TenantScope): Promise<Endpoint[]> {
    return this.db.getRepository(Endpoint).find({
      where: { partnerId: scope.partnerId, environment: scope.environment, deletedAt: IsNull() },
      order: { createdAt: 'ASC' },
    });
  }

  /** The same endpoints with their delivery limits, for the partner's view. */
  async withLimits(scope: TenantScope, endpoints: Endpoint[]): Promise<EndpointWithLimits[]> {
    const rows: { id: string; max_in_flight: number; rate: number | null }[] = await this.db.query(
      'SELECT id, max_in_flight, rate_limit_per_second::float8 AS rate FROM endpoints WHERE id = ANY($1) AND partner_id = $2 AND environment = $3',
      [endpoints.map((e) => e.id), scope.partnerId, scope.environment],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return endpoints.map((e) => Object.assign(e, { maxInFlight: byId.get(e.id)!.max_in_flight, rateLimitPerSecond: byId.get(e.id)!.rate }));
  }

  async get(scope: TenantScope, id: string): Promise<Endpoint> {
    const endpoint = await this.db.getRepository(Endpoint).findOneBy({ id, partnerId: scope.partnerId, environment: scope.environment, deletedAt: IsNull() });
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
    return this.db.getRepository(Endpoint).save(endpoint);
  }

  /** Soft delete: nothing more is sent to it, and its delivery history stays readable. */
  async delete(scope: TenantScope, id: string): Promise<void> {
    const endpoint = await this.get(scope, id);
    await this.db.getRepository(Endpoint).update({ id: endpoint.id }, { deletedAt: new Date(), enabled: false });
  }

  /** A new secret now; the old one keeps signing beside it for 24 hours, then stops. */
  async rotateSecret(scope: TenantScope, id: string): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    const endpoint = await this.get(scope, id);
    const secret = generateSigningSecret();
    const previousSecretExpiresAt = new Date(Date.now() + SECRET_ROTATION_OVERLAP_MS);
    await this.db.getRepository(Endpoint).update(
      { id: endpoint.id },
      { secretEncrypted: this.box.seal(secret), previousSecretEncrypted: endpoint.secretEncrypted, previousSecretExpiresAt },
    );
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

  /** Enabled endpoints subscribed to `type` (an empty subscription list means every type). */
  async subscribedTo(tx: EntityManager, scope: TenantScope, type: string): Promise<Endpoint[]> {
    return tx
      .getRepository(Endpoint)
      .createQueryBuilder('e')
      .where('e.partner_id = :partnerId AND e.environment = :environment AND e.enabled AND e.deleted_at IS NULL', scope)
      .andWhere('(cardinality(e.event_types) = 0 OR :type = ANY(e.event_types))', { type })
      .getMany();
  }

  private checkUrl(scope: TenantScope, url: string): void {
    const problem = endpointUrlProblem(url, scope.environment, this.config.webhookAllowPrivateNetworks);
    if (problem) throw AppError.validation([{ field: 'url', message: problem }]);
  }
}
