/** Staging is paired with `ca_test_` keys and Stripe test mode; production with `ca_live_` and live mode. */
export type Environment = 'staging' | 'production';
export const ENVIRONMENTS: readonly Environment[] = ['staging', 'production'];

/** The two columns every partner table carries; on its own it proves nothing about who asked. */
export interface TenantFields {
  readonly partnerId: string;
  readonly environment: Environment;
}

/**
 * Type-only mark: it exists nowhere at runtime and is not exported, so the only way to hold a
 * `TenantScope` is to receive one from the functions below (or to cast, which
 * test/tenant-scope-guard.spec.ts refuses outside this file).
 */
declare const tenantBrand: unique symbol;

/**
 * Every read or write of a partner's data takes one of these. Repositories
 * require it, so a query whose tenant did not come from authentication, an
 * operator's choice or Stripe event routing does not compile: a plain
 * `{ partnerId, environment }` object is refused.
 */
export type TenantScope = TenantFields & { readonly [tenantBrand]: true };

function brand(fields: TenantFields): TenantScope {
  // A fresh object, so a caller's wider object (an entity, a request body) is never carried along.
  return { partnerId: fields.partnerId, environment: fields.environment } as TenantScope;
}

/** For the partner-key guard only: the key that authenticated the request decides partner and environment. */
export function scopeFromApiKey(key: { readonly partnerId: string; readonly environment: Environment }): TenantScope {
  return brand(key);
}

/**
 * For the portal session service only (apps/api/src/portal), when a browser session authenticates a request: it decides the
 * partner; the environment is the one the request names (a portal user switches between staging and production).
 */
export function scopeFromPortalSession(session: { readonly partnerId: string }, environment: Environment): TenantScope {
  return brand({ partnerId: session.partnerId, environment });
}

/** For the `/admin` routes only, behind the operator token: an operator acting on one partner's environment. */
export function scopeForOperator(partner: { readonly id: string }, environment: Environment): TenantScope {
  return brand({ partnerId: partner.id, environment });
}

/** For the worker's Stripe event routing only: the partner the event's metadata names, the environment its livemode says. */
export function scopeFromEventRouting(partner: { readonly id: string }, livemode: boolean): TenantScope {
  return brand({ partnerId: partner.id, environment: livemode ? 'production' : 'staging' });
}

/**
 * For worker jobs only, which act on a row by its id (an invoice to render, a delivery to attempt): the row's own
 * tenant columns, fixed when it was written under one of the scopes above, are the scope of what follows from it.
 */
export function scopeOfStoredRow(row: TenantFields): TenantScope {
  return brand(row);
}
