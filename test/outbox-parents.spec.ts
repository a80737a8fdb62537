import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sourceFiles } from './support/tenant-query-scan';

const ROOT = resolve(__dirname, '..');

/**
 * The outbox writes messages and deliveries that reference their partner and endpoint without a foreign key
 * (migration 1763801200000: the key's KEY SHARE lock on those few hot rows made every outbox transaction contend).
 * What the key guarded holds because neither row is ever deleted: endpoints and partners are soft-deleted
 * (`deleted_at`). A hard delete anywhere would leave messages and deliveries pointing at nothing.
 */
const HARD_DELETE_SQL = /\bDELETE\s+FROM\s+"?(partners|endpoints)\b/gi;
const HARD_DELETE_ORM = /\.(delete|remove)\(\s*(Partner|Endpoint)\b|getRepository\(\s*(Partner|Endpoint)\s*\)\s*\.(delete|remove)\(/g;

describe('partners and endpoints are never deleted (outbox rows reference them without a foreign key)', () => {
  it('no production file deletes a partner or an endpoint row', () => {
    const offenders = sourceFiles(ROOT).flatMap((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      return [...text.matchAll(HARD_DELETE_SQL), ...text.matchAll(HARD_DELETE_ORM)].map((m) => `${file}: ${m[0]}`);
    });
    expect(offenders).toEqual([]);
  });

  it('the scan sees both kinds of delete', () => {
    const text = "q(`DELETE FROM endpoints WHERE id = $1`); tx.delete(Partner, id); ds.getRepository(Endpoint).remove(e)";
    expect([...text.matchAll(HARD_DELETE_SQL), ...text.matchAll(HARD_DELETE_ORM)].map((m) => m[0])).toEqual([
      'DELETE FROM endpoints',
      '.delete(Partner',
      'getRepository(Endpoint).remove(',
    ]);
  });
});
