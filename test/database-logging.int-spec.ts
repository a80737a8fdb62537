import { Writable } from 'node:stream';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Logger, LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@app/config';
import { dataSourceOptions } from '@app/database';
import { pinoParams } from '@app/observability';
import { createScratchDatabase } from './support/scratch-database';

const EMAIL = 'camille.fuite@example.test';
const SECRET = 'whsec_bG9nLWxlYWstcHJvYmUtc2VjcmV0';

/** A failing query whose parameters are personal data and a secret: logged through pino, with its code, without them. */
describe('database logging', () => {
  let database: { url: string; drop: () => Promise<void> };
  let app: INestApplicationContext;
  const pinoLines: string[] = [];
  const console: string[] = [];
  const restore: (() => void)[] = [];

  beforeAll(async () => {
    database = await createScratchDatabase();
    // Whatever TypeORM or anything else prints outside pino lands here.
    for (const stream of [process.stdout, process.stderr]) {
      const spy = jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => (console.push(String(chunk)), true));
      restore.push(() => spy.mockRestore());
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = jest.spyOn(global.console, method).mockImplementation((...args: unknown[]) => void console.push(args.map(String).join(' ')));
      restore.push(() => spy.mockRestore());
    }
    const params = pinoParams({ logLevel: 'log' } as AppConfig, 'api');
    const sink = new Writable({ write: (chunk, _enc, done) => (pinoLines.push(String(chunk)), done()) });
    const module = await Test.createTestingModule({
      imports: [LoggerModule.forRoot({ pinoHttp: [params.pinoHttp as object, sink] }), TypeOrmModule.forRoot(dataSourceOptions(database.url, 2))],
    }).compile();
    app = await module.init();
    app.useLogger(app.get(Logger));
  });

  afterAll(async () => {
    await app?.close();
    restore.forEach((r) => r());
    await database?.drop();
  });

  it('a failed query is logged through pino with its PostgreSQL code, never with its parameters', async () => {
    const ds = app.get(DataSource);
    const thrown = await ds.query('SELECT $1::uuid AS id, $2::text AS secret', [EMAIL, SECRET]).catch((err: Error) => err);
    // PostgreSQL echoes the bad value in its message; the error the caller gets (and may log) does not.
    expect(thrown).toBeInstanceOf(Error);
    expect(`${(thrown as Error).message} ${(thrown as Error).stack}`).not.toContain(EMAIL);
    const failure = pinoLines.map((l) => JSON.parse(l)).find((l) => l.context === 'Database');
    expect(failure).toMatchObject({ level: 50, app: 'api' });
    expect(failure.msg).toContain('query failed: 22P02');
    expect(failure.msg).toContain('SELECT $1::uuid AS id, $2::text AS secret');
    const everything = [...pinoLines, ...console].join('\n');
    expect(everything).not.toContain(EMAIL);
    expect(everything).not.toContain(SECRET);
  });

  it('a huge statement is cut, not written whole', async () => {
    const ds = app.get(DataSource);
    const huge = `SELECT $1::int AS n /* ${'x'.repeat(200_000)} */`;
    await expect(ds.query(huge, [SECRET])).rejects.toThrow();
    const line = pinoLines.filter((l) => l.includes('"Database"')).at(-1)!;
    expect(line.length).toBeLessThan(2000);
    expect(JSON.parse(line).msg).toMatch(/^query failed: 22P02 .*… \(\d+ chars\)$/);
    expect([...pinoLines, ...console].join('\n')).not.toContain(SECRET);
  });
});
