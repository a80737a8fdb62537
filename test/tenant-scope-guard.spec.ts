import { resolve } from 'node:path';
import type { OrderRepository } from '@app/orders';
import { scopeForOperator, TenantScope } from '../libs/database/src/tenant-scope';
import { Finding, scanTree } from './support/tenant-query-scan';

const ROOT = resolve(__dirname, '..');

/**
 * Files outside the repositories that query partner tables across every partner ON PURPOSE: set-based worker
 * statements and operator totals. Each says why it is safe. This list is meant to stay.
 */
const CROSS_TENANT: Record<string, string> = {
};

/**
 * Repository methods that work across partners on purpose but carry no `@crossTenant` tag of their own yet
 * (their files belong to other work in progress): `file#method` and why it is safe.
 */
const CROSS_TENANT_METHODS: Record<string, string> = {
  'libs/stripe/src/stripe-event.repository.ts#claimWaitingWithInvoice':
    'the worker claims parked refund events whose order now has an invoice; the join matches each event to an order of its own partner and mode, and only the events themselves leave it',
};

/**
 * Files that still query partner tables themselves instead of through a repository method taking the scope.
 * Every one of them receives a branded TenantScope (or works on a row loaded under one) and filters by it, but
 * the compiler cannot see that; they are to move into the owning repositories. This list only shrinks: the test
 * fails when a listed file no longer queries (remove it) and when an unlisted one starts.
 */
const NOT_YET_MOVED: Record<string, string> = {
};

function byFile(findings: Finding[]): Map<string, Finding[]> {
  const map = new Map<string, Finding[]>();
  for (const f of findings) map.set(f.file, [...(map.get(f.file) ?? []), f]);
  return map;
}

const show = (fs: Finding[]) => fs.map((f) => `${f.file}:${f.line} ${f.kind} ${f.text}`).join('\n');

describe('Tenant scope: partner data is reached only through repository methods that take a branded scope', () => {
  const findings = scanTree(ROOT);
  const files = byFile(findings);

  it('no file queries partner tables outside the repositories, the cross-tenant list and the shrinking list', () => {
    const offenders = findings.filter((f) => (f.kind === 'sql' || f.kind === 'orm') && !(f.file in CROSS_TENANT) && !(f.file in NOT_YET_MOVED));
    expect(show(offenders)).toBe('');
  });

  it('every repository method over partner tables takes a TenantScope, or says with @crossTenant why it need not', () => {
    const unscoped = findings.filter((f) => f.kind === 'unscoped-repository-method' && !(`${f.file}#${f.member}` in CROSS_TENANT_METHODS));
    expect(show(unscoped)).toBe('');
  });

  it('a scope is never cast into being, and each factory is called only by those it is named for', () => {
    expect(show(findings.filter((f) => f.kind === 'scope-cast' || f.kind === 'scope-factory'))).toBe('');
  });

  it('the allow-lists hold no file that no longer queries partner tables (they only shrink)', () => {
    const stale = [...Object.keys(CROSS_TENANT), ...Object.keys(NOT_YET_MOVED)].filter((file) => !files.get(file)?.some((f) => f.kind === 'sql' || f.kind === 'orm'));
    const staleMethods = Object.keys(CROSS_TENANT_METHODS).filter((key) => !findings.some((f) => `${f.file}#${f.member}` === key));
    expect([...stale, ...staleMethods]).toEqual([]);
  });
});

/**
 * Type level, checked by `npm run typecheck` (tsconfig.json includes test/): a plain object with the right two
 * fields is not a scope. Never called; if the brand were dropped, the directive below would itself be an error.
 */
export function plainObjectIsNotAScope(orders: OrderRepository): void {
  const plain = { partnerId: 'par_someone_else', environment: 'production' as const };
  // @ts-expect-error a TenantScope comes only from scopeFromApiKey, scopeForOperator, scopeFromEventRouting or scopeOfStoredRow
  void orders.getOrder(plain, 'ord_1');
  // @ts-expect-error the same object, annotated, is still not one
  const annotated: TenantScope = plain;
  void orders.getOrder(scopeForOperator({ id: 'par_1' }, 'staging'), 'ord_1');
  void annotated;
}
