import { resolve } from 'node:path';
import { IoFinding, scanIoSource, scanIoTree } from './support/repository-io-scan';

const ROOT = resolve(__dirname, '..');

/**
 * Infrastructure that must hold TypeORM's handles without being a repository, each with its reason. This list is
 * meant to stay short; a file here that no longer touches them fails the last test.
 */
const INFRASTRUCTURE: Record<string, string> = {
  'libs/database/src/data-source.ts': 'builds the DataSource itself (the app modules and the migrations CLI start from it)',
  'libs/database/src/named-statement.ts': 'runs a repository\'s hot statement as a named one on its transaction\'s connection (queryNamed) or on the pool (queryNamedOnPool)',
  'libs/database/src/entity-rows.ts': 'hydrates a repository\'s raw rows as TypeORM would (entityFromRow), from the DataSource\'s metadata',
  'libs/database/src/unit-of-work.ts': 'turns the DataSource into the opaque Tx services carry, and back for repositories (managerOf)',
  'libs/database/src/cursor-page.ts': 'the cursor-paging helper repositories hand their query builders to; it never starts a query itself',
};

/**
 * Files that still reach PostgreSQL themselves instead of through a repository. Each is to hand its SQL to the
 * table's owning repository and receive that repository instead. This list only shrinks: the test fails when a
 * listed file already complies (remove it) and when an unlisted file starts touching the database.
 */
const NOT_YET_MOVED: Record<string, string> = {
};

const show = (fs: IoFinding[]) => fs.map((f) => `${f.file}:${f.line} ${f.text}`).join('\n');

describe('Repositories are the only I/O: DataSource, EntityManager and their queries stay in *.repository.ts', () => {
  const found = scanIoTree(ROOT);

  it('no file outside the repositories, the infrastructure list and the shrinking list touches the database', () => {
    const offenders = [...found.values()].flat().filter((f) => !(f.file in INFRASTRUCTURE) && !(f.file in NOT_YET_MOVED));
    const advice = offenders.length
      ? '\nMove these statements into the owning repository of their table (a class in a `*.repository.ts` file, named in the map of docs/architecture.md) and inject that repository into the service; a service that needs a transaction takes `UnitOfWork` and hands its `Tx` to the repositories.'
      : '';
    expect(show(offenders) + advice).toBe('');
  });

  it('the lists hold no file that already complies (NOT_YET_MOVED only shrinks)', () => {
    const stale = [...Object.keys(INFRASTRUCTURE), ...Object.keys(NOT_YET_MOVED)].filter((file) => !found.has(file));
    expect(stale).toEqual([]);
  });

  it('no file is on both lists, and none of them is a repository', () => {
    const both = Object.keys(NOT_YET_MOVED).filter((file) => file in INFRASTRUCTURE);
    const repositories = [...Object.keys(INFRASTRUCTURE), ...Object.keys(NOT_YET_MOVED)].filter((file) => file.endsWith('.repository.ts'));
    expect([...both, ...repositories]).toEqual([]);
  });
});

describe('the scan itself', () => {
  const kinds = (text: string) => scanIoSource('libs/x/src/x.service.ts', text).map((f) => `${f.kind} ${f.text}`);

  it('sees a DataSource injected and queried, a manager unwrapped from a Tx, and a transaction opened on the DataSource', () => {
    expect(kinds(`
      import { InjectDataSource } from '@nestjs/typeorm';
      import type { DataSource } from 'typeorm';
      class S {
        constructor(@InjectDataSource() private readonly db: DataSource) {}
        a() { return this.db.query('SELECT 1'); }
        b(tx: Tx) { return managerOf(tx).save(row); }
        c() { return this.db.transaction(async (tx) => tx.query('SELECT 2')); }
      }
    `)).toEqual([
      "import import { InjectDataSource } from '@nestjs/typeorm'",
      "import import { DataSource } from 'typeorm'",
      'inject @InjectDataSource(...)',
      'type DataSource',
      'query db.query(...)',
      'unwrap managerOf(...)',
      'query db.transaction(...)',
      'query tx.query(...)',
    ]);
  });

  it('lets a service that takes repositories and UnitOfWork through, and entity decorators', () => {
    expect(kinds(`
      import { Column, Entity } from 'typeorm';
      class S {
        constructor(private readonly uow: UnitOfWork, private readonly orders: OrderRepository, private readonly redis: Redis) {}
        a() { return this.uow.run((tx) => this.orders.updateBasket(tx, scope, order)); }
        b() { return this.redis.get('k'); }
      }
    `)).toEqual([]);
  });
});
