import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { JobQueue } from '@app/queue';

const BATCH = 1000;

/**
 * The sweeper's rule for credit notes (PostgreSQL is the truth, Redis only
 * schedules): credit notes committed but not rendered or not emailed are
 * scheduled again. Job ids are deterministic, so queued work is not doubled.
 * Kept beside the main sweeper rather than in it, on the same period.
 */
@Injectable()
export class CreditNoteSweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CreditNoteSweeperService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queue: JobQueue,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err) => this.logger.warn(`Credit note sweep failed: ${(err as Error).message}`));
    }, this.config.sweepIntervalMs);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    const cutoff = new Date(Date.now() - this.config.sweepGraceMs);
    const [unrendered, unsent] = await Promise.all([
      this.db.query(`SELECT id FROM credit_notes WHERE pdf_rendered_at IS NULL AND issued_at < $1 ORDER BY issued_at LIMIT ${BATCH}`, [cutoff]),
      this.db.query(
        `SELECT id FROM credit_notes WHERE pdf_rendered_at IS NOT NULL AND emailed_at IS NULL AND email_error IS NULL AND pdf_rendered_at < $1 LIMIT ${BATCH}`,
        [cutoff],
      ),
    ]);
    await Promise.all([
      this.queue.tryEnqueueBulk('render-credit-note-pdf', unrendered.map((r: { id: string }) => ({ creditNoteId: r.id }))),
      this.queue.tryEnqueueBulk('send-credit-note-email', unsent.map((r: { id: string }) => ({ creditNoteId: r.id }))),
    ]);
    return unrendered.length + unsent.length;
  }
}
