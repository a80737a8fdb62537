import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Readiness of PostgreSQL for the health routes of both processes: a round trip, no table read. */
@Injectable()
export class DatabaseProbeRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Resolves when PostgreSQL answers a statement; rejects (or hangs, hence the caller's timeout) when it does not. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
