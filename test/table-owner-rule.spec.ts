import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { sourceFiles } from './support/tenant-query-scan';

const ROOT = resolve(__dirname, '..');

/**
 * The delivery engine's tables and their one owning repository (docs/architecture.md, map of libs/): the only file
 * whose SQL (or ORM call) writes the table. A statement that must write several tables in one round trip (the
 * outbox write, a claim's lease, a record batch) embeds the SQL fragments its owners export, so the text of each
 * INSERT, UPDATE or DELETE still lives in its owner's file.
 */
const OWNERS: Record<string, { repository: string; file: string }> = {
  deliveries: { repository: 'DeliveryRepository', file: 'libs/webhooks/src/delivery.repository.ts' },
  attempts: { repository: 'AttemptRecordRepository', file: 'libs/webhooks/src/attempt-record.repository.ts' },
  endpoints: { repository: 'EndpointRepository', file: 'libs/webhooks/src/endpoint.repository.ts' },
  messages: { repository: 'OutboxRepository', file: 'libs/webhooks/src/outbox.repository.ts' },
};

/**
 * Rows never deleted, only marked (`deleted_at`): messages and deliveries reference their partner and endpoint without
 * a foreign key (migration 1763801200000: the key's KEY SHARE lock on those few hot rows made every outbox transaction
 * contend), so a hard delete of either would leave them pointing at nothing.
 */
const NEVER_DELETED = new Set(['partners', 'endpoints']);

/** The TypeORM entities mapped onto the tables scanned. */
const ENTITY_TABLES: Record<string, string> = { Delivery: 'deliveries', Attempt: 'attempts', Endpoint: 'endpoints', Message: 'messages', Partner: 'partners' };

/** The one exception of the Rules (docs/architecture.md): retention deletes old rows by age, and writes nothing else. */
const DELETES_BY_AGE = 'apps/worker/src/retention.repository.ts';

const SCANNED = [...new Set([...Object.keys(OWNERS), ...NEVER_DELETED])];
const WRITE_SQL = new RegExp(`\\b(INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+"?(${SCANNED.join('|')})\\b"?`, 'gi');
const ORM_WRITES = new Set(['insert', 'update', 'delete', 'save', 'softDelete', 'restore', 'upsert', 'remove', 'into', 'increment', 'decrement']);

interface TableWrite {
  file: string;
  line: number;
  table: string;
  verb: string;
  text: string;
}

/** Every write of a scanned table in one source: SQL text naming it, or an ORM write handed (or repository of) its entity. */
function scanTableWrites(file: string, text: string): TableWrite[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const writes: TableWrite[] = [];
  const add = (node: ts.Node, table: string, verb: string, what: string) =>
    writes.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, table, verb: verb.toUpperCase().split(/\s+/)[0], text: what });
  const entityTable = (node: ts.Node | undefined) => (node && ts.isIdentifier(node) ? ENTITY_TABLES[node.text] : undefined);
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      for (const m of node.getText().matchAll(WRITE_SQL)) add(node, m[2].toLowerCase(), m[1], m[0].replace(/\s+/g, ' '));
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ORM_WRITES.has(node.expression.name.text)) {
      const verb = node.expression.name.text;
      // manager.insert(Delivery, …), queryBuilder.update(Endpoint) / .into(Message)
      const direct = entityTable(node.arguments[0]);
      if (direct) add(node, direct, verb === 'into' ? 'insert' : verb, `.${verb}(${(node.arguments[0] as ts.Identifier).text})`);
      // getRepository(Delivery).update(…)
      const target = node.expression.expression;
      if (ts.isCallExpression(target) && ts.isPropertyAccessExpression(target.expression) && target.expression.name.text === 'getRepository') {
        const table = entityTable(target.arguments[0]);
        if (table) add(node, table, verb, `getRepository(${(target.arguments[0] as ts.Identifier).text}).${verb}(...)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return writes;
}

const show = (ws: TableWrite[]) => ws.map((w) => `${w.file}:${w.line} ${w.table} ${w.text}`).join('\n');

describe('One owning repository per table: only the owner writes deliveries, attempts, endpoints and messages', () => {
  const writes = sourceFiles(ROOT).flatMap((file) => scanTableWrites(file, readFileSync(join(ROOT, file), 'utf8')));

  it('no production file but the owner writes its table (retention only deletes by age)', () => {
    const offenders = writes.filter((w) => OWNERS[w.table] && w.file !== OWNERS[w.table].file && !(w.file === DELETES_BY_AGE && w.verb === 'DELETE'));
    const advice = offenders.length
      ? '\nMove the statement into the owning repository of its table (OWNERS above, the map of docs/architecture.md); a statement that must write several tables at once embeds a SQL fragment the owner exports, with a comment naming the owner.'
      : '';
    expect(show(offenders) + advice).toBe('');
  });

  it('no production file deletes a partner or an endpoint row (they are marked deleted)', () => {
    expect(show(writes.filter((w) => NEVER_DELETED.has(w.table) && (w.verb === 'DELETE' || w.verb === 'REMOVE')))).toBe('');
  });

  it('each owner named here still writes its table (the map stays true)', () => {
    const silent = Object.entries(OWNERS).filter(([table, o]) => !writes.some((w) => w.table === table && w.file === o.file));
    expect(silent.map(([table, o]) => `${table}: ${o.repository} (${o.file})`)).toEqual([]);
  });
});

describe('the table-owner scan itself', () => {
  const found = (text: string) => scanTableWrites('libs/x/src/x.repository.ts', text).map((w) => `${w.table} ${w.text}`);

  it('sees SQL writes, in strings and templates, whatever the case and line breaks', () => {
    expect(found(`
      const a = 'insert into attempts (id) VALUES ($1)';
      const b = \`WITH x AS (SELECT 1) UPDATE
        deliveries d SET lease_until = NULL\`;
      const c = \`DELETE FROM "messages" WHERE id = \${id}\`;
    `)).toEqual(['attempts insert into attempts', 'deliveries UPDATE deliveries', 'messages DELETE FROM "messages"']);
  });

  it('sees a hard delete of a partner or an endpoint, in SQL or through the ORM', () => {
    expect(found(`
      q(\`DELETE FROM endpoints WHERE id = $1\`);
      tx.delete(Partner, id);
      ds.getRepository(Endpoint).remove(e);
    `)).toEqual(['endpoints DELETE FROM endpoints', 'partners .delete(Partner)', 'endpoints getRepository(Endpoint).remove(...)']);
  });

  it('sees ORM writes handed an entity or made on its repository', () => {
    expect(found(`
      tx.insert(Message, row);
      this.db.getRepository(Endpoint).update({ id }, { enabled: false });
      managerOf(tx).createQueryBuilder().insert().into(Delivery).values(v).execute();
      managerOf(tx).update(Attempt, { id }, {});
    `)).toEqual(['messages .insert(Message)', 'endpoints getRepository(Endpoint).update(...)', 'deliveries .into(Delivery)', 'attempts .update(Attempt)']);
  });

  it('lets reads, row locks and other tables through', () => {
    expect(found(`
      const a = 'SELECT * FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id FOR NO KEY UPDATE OF e';
      const b = 'UPDATE orders SET status = $1';
      const c = 'INSERT INTO messages_archive SELECT 1';
      tx.findOneBy(Message, { id });
      this.db.getRepository(Delivery).find({});
    `)).toEqual([]);
  });
});
