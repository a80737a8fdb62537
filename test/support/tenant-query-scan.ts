import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** Tables whose rows belong to one partner and one environment (each has partner_id, or hangs off a row that has). */
export const PARTNER_TABLES = [
  'orders', 'invoices', 'invoice_pdfs', 'invoice_sequences', 'credit_notes', 'credit_note_pdfs', 'customers', 'subscriptions',
  'stripe_prices', 'endpoints', 'messages', 'deliveries', 'attempts', 'api_keys', 'partner_logos', 'idempotency_keys',
  'portal_links', 'portal_sessions',
] as const;

/** The TypeORM entities mapped onto those tables. */
export const PARTNER_ENTITIES = new Set([
  'Order', 'Invoice', 'InvoicePdf', 'CreditNote', 'CreditNotePdf', 'Customer', 'Subscription',
  'Endpoint', 'Message', 'Delivery', 'Attempt', 'ApiKey', 'PartnerLogo', 'PortalLink', 'PortalSession',
]);

/** Each scope factory, and the only files that may call it (named for who may call them). */
export const SCOPE_FACTORY_CALLERS: Record<string, (file: string) => boolean> = {
  scopeFromApiKey: (f) => f === 'libs/partners/src/partner.service.ts',
  scopeFromPortalSession: (f) => f === 'apps/api/src/portal/portal-session.service.ts',
  // PartnerService.create serves POST /admin/partners only: a new partner's first keys are made in the operator's name.
  scopeForOperator: (f) => f.startsWith('apps/api/src/admin/') || f === 'libs/partners/src/partner.service.ts',
  scopeFromEventRouting: (f) => f === 'libs/orders/src/payment-event.service.ts',
  scopeOfStoredRow: (f) => [
    'libs/invoicing/src/documents/document.repository.ts',
    'libs/webhooks/src/attempt-record.repository.ts',
  ].includes(f),
};

const SCOPE_MODULE = 'libs/database/src/tenant-scope.ts';
const TABLE_SQL = new RegExp(`\\b(?:from|join|update|into|truncate)\\s+"?(${PARTNER_TABLES.join('|')})"?\\b`, 'i');

export type FindingKind = 'sql' | 'orm' | 'unscoped-repository-method' | 'scope-cast' | 'scope-factory';

export interface Finding {
  file: string;
  line: number;
  kind: FindingKind;
  text: string;
  /** For an unscoped repository method: its name. */
  member?: string;
}

/** The production sources: apps/ and libs/, without unit specs. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path);
      } else if (/\.ts$/.test(entry.name) && !/\.(spec|spec-helper|d)\.ts$/.test(entry.name)) {
        out.push(relative(root, path).split('\\').join('/'));
      }
    }
  };
  for (const top of ['apps', 'libs']) walk(join(root, top));
  return out.sort();
}

const isRepositoryFile = (file: string) => file.endsWith('.repository.ts');

/** A query over a partner table at this node: raw SQL naming one, or an ORM call handed one of their entities. */
function queryAt(node: ts.Node): { kind: 'sql' | 'orm'; text: string } | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
    const match = TABLE_SQL.exec(node.getText());
    return match ? { kind: 'sql', text: match[0] } : null;
  }
  if (ts.isCallExpression(node)) {
    const [first] = node.arguments;
    if (!first || !ts.isIdentifier(first) || !PARTNER_ENTITIES.has(first.text)) return null;
    const callee = node.expression;
    if (ts.isPropertyAccessExpression(callee)) return { kind: 'orm', text: `.${callee.name.text}(${first.text})` };
    if (ts.isIdentifier(callee) && callee.text === 'InjectRepository') return { kind: 'orm', text: `InjectRepository(${first.text})` };
  }
  return null;
}

/** `@crossTenant <why>` in a method's doc comment marks a set-based statement that works across partners on purpose. */
function isCrossTenant(fn: ts.Node): boolean {
  return ts.getJSDocTags(fn).some((tag) => tag.tagName.text === 'crossTenant' && String(tag.comment ?? '').trim().length > 0);
}

function takesScope(fn: ts.SignatureDeclaration): boolean {
  return fn.parameters.some((p) => p.type !== undefined && /\bTenantScope\b/.test(p.type.getText()));
}

/** Everything in one file that reaches partner data without a branded scope, or forges one. */
export function scanFile(root: string, file: string): Finding[] {
  const text = readFileSync(join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const findings: Finding[] = [];
  const add = (node: ts.Node, kind: FindingKind, what: string, member?: string) =>
    findings.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, kind, text: what, member });

  // In a repository, each function (method or arrow) that queries a partner table must take the scope or say why not.
  const enclosingFunctions: ts.SignatureDeclaration[] = [];
  const repositoryMethodChecked = new Set<ts.Node>();

  const visit = (node: ts.Node) => {
    const isFn = ts.isMethodDeclaration(node) || ts.isFunctionDeclaration(node);
    if (isFn) enclosingFunctions.push(node);

    const query = queryAt(node);
    if (query) {
      if (!isRepositoryFile(file)) {
        add(node, query.kind, query.text);
      } else {
        const fn = enclosingFunctions[enclosingFunctions.length - 1];
        if (fn && !repositoryMethodChecked.has(fn) && !takesScope(fn) && !isCrossTenant(fn)) {
          repositoryMethodChecked.add(fn);
          const name = fn.name?.getText() ?? '(anonymous)';
          add(fn, 'unscoped-repository-method', `${name}: ${query.text}`, name);
        }
      }
    }

    if (file !== SCOPE_MODULE) {
      if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && /\bTenantScope\b/.test(node.type.getText())) {
        add(node, 'scope-cast', node.getText().slice(0, 80));
      }
      if (ts.isIdentifier(node) && node.text === 'tenantBrand') add(node, 'scope-cast', 'tenantBrand');
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const allowed = SCOPE_FACTORY_CALLERS[node.expression.text];
        if (allowed && !allowed(file)) add(node, 'scope-factory', `${node.expression.text}(...) called here`);
      }
    }

    ts.forEachChild(node, visit);
    if (isFn) enclosingFunctions.pop();
  };
  visit(source);
  return findings;
}

export function scanTree(root: string): Finding[] {
  return sourceFiles(root).flatMap((file) => scanFile(root, file));
}
