import { Injectable } from '@nestjs/common';
import { Environment, ENVIRONMENTS, newId, Partner, PostalAddress, scopeForOperator, scopeFromApiKey, TenantScope, UnitOfWork } from '@app/database';
import { AppError } from '@app/errors';
import { ApiKeyRepository } from './api-key.repository';
import { environmentOfKey, generateApiKey, hashApiKey } from './api-key.util';
import { PartnerRepository } from './partner.repository';

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
  constructor(
    private readonly uow: UnitOfWork,
    private readonly partners: PartnerRepository,
    private readonly keys: ApiKeyRepository,
  ) {}

  /** Creates the partner and one key per environment; the keys are returned once and only their hashes kept. */
  async create(input: CreatePartnerInput): Promise<{ partner: Partner; apiKeys: Record<Environment, string> }> {
    return this.uow.run(async (tx) => {
      const partner = await this.partners.insert({
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
      }, tx);
      const apiKeys = {} as Record<Environment, string>;
      for (const environment of ENVIRONMENTS) {
        const key = generateApiKey(environment);
        apiKeys[environment] = key;
        // Creating a partner is an operator's act (POST /admin/partners): its first keys are made in the operator's name.
        await this.keys.insert(scopeForOperator(partner, environment), key, tx);
      }
      return { partner, apiKeys };
    });
  }

  async get(id: string): Promise<Partner> {
    const partner = await this.partners.byId(id);
    if (!partner) throw AppError.notFound('partner', id);
    return partner;
  }

  async list(): Promise<Partner[]> {
    return this.partners.list();
  }

  /** Resolves a bearer key to its partner and environment, or throws 401 without saying which part was wrong. */
  async authenticate(key: string): Promise<AuthenticatedPartner> {
    const environment = environmentOfKey(key);
    if (!environment) throw new AppError('unauthenticated');
    const row = await this.keys.findByHash(hashApiKey(key));
    if (!row || row.revokedAt || row.environment !== environment) throw new AppError('unauthenticated');
    const partner = await this.partners.byId(row.partnerId);
    if (!partner) throw new AppError('unauthenticated');
    if (partner.disabledAt) throw new AppError('partner_disabled');
    const scope = scopeFromApiKey(row);
    // Last-used time is informative; a coarse, unawaited update keeps auth off the write path.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      void this.keys.touch(scope, row.id).catch(() => undefined);
    }
    return { ...scope, partner, apiKeyId: row.id };
  }
}
