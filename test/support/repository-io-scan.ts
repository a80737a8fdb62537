import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { sourceFiles } from './tenant-query-scan';

/** TypeORM's handles on the database: whoever holds one can run any SQL. */
const DATABASE_TYPES = new Set(['DataSource', 'EntityManager', 'Repository', 'QueryRunner', 'SelectQueryBuilder']);
/** Nest's ways of being handed one. */
const DATABASE_INJECTORS = new Set(['InjectDataSource', 'InjectEntityManager', 'InjectRepository']);
/** Turning an opaque `Tx` back into a manager (or a manager into a `Tx`) is the repositories' business. */
const TX_UNWRAPPERS = new Set(['managerOf', 'asTx']);
/** Calls that run SQL or hand out a query builder. */
const QUERY_METHODS = new Set(['query', 'createQueryBuilder', 'getRepository', 'transaction']);
/**
 * The names a DataSource or manager goes by in this code base. The scan reads syntax only (no type checker, so it
 * stays fast), hence this list; the imports and injections above catch the handles themselves.
 */
const DATABASE_RECEIVER = /^(db|dataSource|datasource|connection|manager|entityManager|em|tx|trx|queryRunner|qr)$/;

export type IoFindingKind = 'import' | 'type' | 'inject' | 'unwrap' | 'query';

export interface IoFinding {
  file: string;
  line: number;
  kind: IoFindingKind;
  text: string;
}

export const isRepositoryFile = (file: string): boolean => file.endsWith('.repository.ts');

/** The receiver's last name: `this.db.query` -> `db`, `managerOf(tx).query` -> `managerOf(...)`. */
function receiverName(expr: ts.Expression): string | null {
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  if (ts.isCallExpression(expr) && ts.isIdentifier(expr.expression) && TX_UNWRAPPERS.has(expr.expression.text)) return `${expr.expression.text}(...)`;
  return null;
}

/** Everything in one file that reaches PostgreSQL through TypeORM, whatever the file is. */
export function scanIo(root: string, file: string): IoFinding[] {
  return scanIoSource(file, readFileSync(join(root, file), 'utf8'));
}

/** The same, on a file's text (the spec checks the scan itself on small samples). */
export function scanIoSource(file: string, text: string): IoFinding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const findings: IoFinding[] = [];
  const add = (node: ts.Node, kind: IoFindingKind, what: string) =>
    findings.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, kind, text: what });

  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && /^(typeorm|@nestjs\/typeorm)$/.test(node.moduleSpecifier.text)) {
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) {
          const imported = (el.propertyName ?? el.name).text;
          if (DATABASE_TYPES.has(imported) || DATABASE_INJECTORS.has(imported)) add(el, 'import', `import { ${imported} } from '${node.moduleSpecifier.text}'`);
        }
      } else if (bindings && ts.isNamespaceImport(bindings)) {
        add(bindings, 'import', `import * as ${bindings.name.text} from '${node.moduleSpecifier.text}'`);
      }
      return; // the import's own identifiers are reported once, above
    }
    if (ts.isTypeReferenceNode(node)) {
      const name = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.right.text;
      if (DATABASE_TYPES.has(name)) add(node, 'type', node.getText().slice(0, 60));
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee) && DATABASE_INJECTORS.has(callee.text)) add(node, 'inject', `@${callee.text}(...)`);
      if (ts.isIdentifier(callee) && TX_UNWRAPPERS.has(callee.text)) add(node, 'unwrap', `${callee.text}(...)`);
      if (ts.isPropertyAccessExpression(callee) && QUERY_METHODS.has(callee.name.text)) {
        const receiver = receiverName(callee.expression);
        if (receiver && (DATABASE_RECEIVER.test(receiver) || receiver.endsWith('(...)'))) add(node, 'query', `${receiver}.${callee.name.text}(...)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

/** Every production file outside the repositories that touches TypeORM's handles, by file. */
export function scanIoTree(root: string): Map<string, IoFinding[]> {
  const byFile = new Map<string, IoFinding[]>();
  for (const file of sourceFiles(root)) {
    if (isRepositoryFile(file)) continue;
    const found = scanIo(root, file);
    if (found.length) byFile.set(file, found);
  }
  return byFile;
}
