/** Staging is paired with `ca_test_` keys and Stripe test mode; production with `ca_live_` and live mode. */
export type Environment = 'staging' | 'production';
export const ENVIRONMENTS: readonly Environment[] = ['staging', 'production'];

/**
 * Every read or write of a partner's data takes one of these. Repositories
 * require it as their first argument, so a query that forgets the tenant does
 * not compile.
 */
export interface TenantScope {
  readonly partnerId: string;
  readonly environment: Environment;
}
