import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKey, Environment, ENVIRONMENTS, newId, Partner, PostalAddress, scopeFromApiKey, TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { displayPrefix, environmentOfKey, generateApiKey, hashApiKey } from './api-key.util';

export interface CreatePartnerInput {
  name: string;
  legal_name: string;
  address: PostalAddress;
  siren: string;
  vat_number?: string | null;
  email: string;
  invoice_prefix?: string;
  default_vat_rate?: number;
}

export interface AuthenticatedPartner extends TenantScope {
  partner: Partner;
  apiKeyId: string;
}

/** Derives a short, invoice-safe prefix from the partner's name when none is given. */
function defaultInvoicePrefix(name: string): string {
  const letters = name.normalize('NFD').replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  return (letters || 'INV').slice(0, 8);
}

@Injectable()
export class PartnerService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Creates the partner and one key per environment; the keys are returned once and only their hashes kept. */
  async create(input: CreatePartnerInput): Promise<{ partner: Partner; apiKeys: Record<Environment, string> }> {
    return this.db.transaction(async (tx) => {
      const partner = tx.create(Partner, {
        id: newId('par'),
        name: input.name,
        legalName: input.legal_name,
        address: input.address,
        siren: input.siren,
        vatNumber: input.vat_number ?? null,
        email: input.email,
        invoicePrefix: input.invoice_prefix ?? defaultInvoicePrefix(input.name),
        defaultVatRate: input.default_vat_rate ?? 20,
        disabledAt: null,
      });
      await tx.save(partner);
      const apiKeys = {} as Record<Environment, string>;
      for (const environment of ENVIRONMENTS) {
        const key = generateApiKey(environment);
        apiKeys[environment] = key;
        await tx.insert(ApiKey, {
          id: newId('key'),
          partnerId: partner.id,
          environment,
          prefix: displayPrefix(key),
          hash: hashApiKey(key),
          lastUsedAt: null,
          revokedAt: null,
        });
      }
      return { partner, apiKeys };
    });
  }

  async get(id: string): Promise<Partner> {
    const partner = await this.db.getRepository(Partner).findOneBy({ id });
    if (!partner) throw AppError.notFound('partner', id);
    return partner;
  }

  async list(): Promise<Partner[]> {
    return this.db.getRepository(Partner).find({ order: { createdAt: 'DESC' } });
  }

  /** Resolves a bearer key to its partner and environment, or throws 401 without saying which part was wrong. */
  async authenticate(key: string): Promise<AuthenticatedPartner> {
    const environment = environmentOfKey(key);
    if (!environment) throw new AppError('unauthenticated');
    const row = await this.db.getRepository(ApiKey).findOneBy({ hash: hashApiKey(key) });
    if (!row || row.revokedAt || row.environment !== environment) throw new AppError('unauthenticated');
    const partner = await this.db.getRepository(Partner).findOneBy({ id: row.partnerId });
    if (!partner) throw new AppError('unauthenticated');
    if (partner.disabledAt) throw new AppError('partner_disabled');
    // Last-used time is informative; a coarse, unawaited update keeps auth off the write path.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      void this.db.getRepository(ApiKey).update({ id: row.id }, { lastUsedAt: new Date() }).catch(() => undefined);
    }
    return { ...scopeFromApiKey(row), partner, apiKeyId: row.id };
  }
}
