import { Injectable } from '@nestjs/common';
import { ApiKey, TenantScope, UnitOfWork } from '@app/database';
import { AppError } from '@app/errors';
import { ApiKeyRepository } from './api-key.repository';
import { generateApiKey } from './api-key.util';
import { PartnerRepository } from './partner.repository';

/** A partner's keys: shown once at creation, stored hashed, listed by prefix. */
@Injectable()
export class ApiKeyService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly keys: ApiKeyRepository,
    private readonly partners: PartnerRepository,
  ) {}

  list(scope: TenantScope): Promise<ApiKey[]> {
    return this.keys.active(scope);
  }

  async create(scope: TenantScope): Promise<{ apiKey: ApiKey; key: string }> {
    const key = generateApiKey(scope.environment);
    return { apiKey: await this.keys.insert(scope, key), key };
  }

  /** Operator path (the scope comes from `scopeForOperator`): a new key for a partner that may have lost all of its keys. */
  async issue(scope: TenantScope): Promise<{ apiKey: ApiKey; key: string }> {
    if (!(await this.partners.exists(scope.partnerId))) throw AppError.notFound('partner', scope.partnerId);
    return this.create(scope);
  }

  /** Refuses to revoke the environment's last key: the partner would lock itself out. */
  async revoke(scope: TenantScope, id: string): Promise<void> {
    await this.uow.run(async (tx) => {
      const keys = await this.keys.active(scope, tx, true);
      const key = keys.find((k) => k.id === id);
      if (!key) throw AppError.notFound('api key', id);
      if (keys.length === 1) {
        throw new AppError('conflict', `This is the last ${scope.environment} key: create a new one (POST /v1/api-keys) before revoking it.`);
      }
      await this.keys.revoke(scope, id, tx);
    });
  }
}
