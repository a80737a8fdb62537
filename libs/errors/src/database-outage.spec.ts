import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-outage';

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises a dropped or refused connection, by socket code', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']) expect(isDatabaseUnavailable(withCode(code))).toBe(true);
  });

  it('recognises a server shutting down, starting, full, or any class 08 connection exception', () => {
    for (const code of ['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004', '08P01']) expect(isDatabaseUnavailable(withCode(code))).toBe(true);
  });

  it('recognises node-postgres messages that come without a code', () => {
    for (const message of ['Connection terminated unexpectedly', 'Connection terminated due to connection timeout', 'timeout exceeded when trying to connect', 'Client has encountered a connection error and is not queryable']) {
      expect(isDatabaseUnavailable(new Error(message))).toBe(true);
    }
  });

  it('looks inside TypeORM and cause wrappers', () => {
    expect(isDatabaseUnavailable(new QueryFailedError('SELECT 1', [], withCode('ECONNRESET', 'read ECONNRESET')))).toBe(true);
    expect(isDatabaseUnavailable(new Error('query failed', { cause: withCode('57P01', 'terminating connection due to administrator command') }))).toBe(true);
  });

  it('leaves real query errors alone: they are bugs or bad input, not an outage', () => {
    for (const code of ['23505', '22P05', '42P01', '40001', '22021', 'ENOENT']) expect(isDatabaseUnavailable(withCode(code))).toBe(false);
    expect(isDatabaseUnavailable(new Error('invalid byte sequence for encoding "UTF8": 0x00'))).toBe(false);
    for (const value of [undefined, null, 'ECONNRESET', 42]) expect(isDatabaseUnavailable(value)).toBe(false);
  });
});
