import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { CreditNote, CreditNotePdf, Invoice, InvoicePdf, NamedStatement, Order, PartnerLogo, scopeOfStoredRow, TenantScope } from '@app/database';
import { OutboxService, outboxWriteSql } from '@app/webhooks';
import { CREDIT_NOTE, DocumentKind, INVOICE } from './document-kind';

/** An invoice or a credit note: what the pipeline carries. */
export type FiscalDocument = Invoice | CreditNote;

export interface DocumentEmailOutcome {
  emailedAt?: Date;
  emailError: string | null;
}

const entityOf = (kind: DocumentKind) => (kind.name === 'invoice' ? Invoice : CreditNote);

/** The rows of an UPDATE ... RETURNING: TypeORM answers `[rows, count]` for an UPDATE. */
function returned<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

/**
 * A rendered document stored in ONE autocommit statement: marked rendered (only if it was not: a worker whose lease
 * lapsed mid-render loses here and writes nothing), its PDF inserted, and the message announcing it written with
 * its deliveries by the outbox's own SQL (gated on the mark, so the loser writes no message). $1 the document,
 * $2 the PDF, $3 its sha256, then the message's $4-$11, and $12 an email lease in ms (null: not claimed): the
 * renderer that stored the document claims it for email in the same statement and sends it with the PDF and
 * logo in hand, instead of a claim and three reads later. One round trip instead of seven (BEGIN, mark, PDF,
 * message and deliveries, COMMIT, TypeORM's transaction bookkeeping), named so PostgreSQL plans it once per
 * connection.
 */
function storeStatement(kind: DocumentKind): NamedStatement {
  const announcement = outboxWriteSql({
    partnerId: '$4',
    environment: '$5',
    id: '$6',
    type: '$7',
    orderId: '$8',
    body: '$9',
    createdAt: '$10::timestamptz',
    orderingKey: '$11',
    gate: 'rendered',
  });
  return {
    name: `store_rendered_${kind.name}`,
    text: `WITH rendered AS (
        UPDATE ${kind.table} SET pdf_rendered_at = clock_timestamp(), render_claimed_until = NULL,
          email_claimed_until = CASE WHEN $12::int IS NULL THEN email_claimed_until ELSE clock_timestamp() + $12::int * interval '1 millisecond' END
        WHERE id = $1 AND pdf_rendered_at IS NULL RETURNING pdf_rendered_at, $12::int IS NOT NULL AS email_claimed
      ), pdf AS (
        INSERT INTO ${kind.pdfTable} (${kind.pdfKey}, content, sha256) SELECT $1, $2, $3 FROM rendered
      ), ${announcement.ctes}
      SELECT r.pdf_rendered_at, r.email_claimed, d.announced FROM rendered r LEFT JOIN (${announcement.announce}) d ON true`,
  };
}
const STORE_RENDERED = new Map(([INVOICE, CREDIT_NOTE] as const).map((kind) => [kind.name, storeStatement(kind)]));

/**
 * Every statement of the document pipeline over `invoices` / `credit_notes` and their PDFs: the render claim, the
 * PDF stored with its mark and its announcement in one transaction, the email claim and its outcome. The claims
 * are leases (a timestamp column), so a crashed worker's documents are claimable again once it lapses; the marks
 * are conditional, so a document claimed twice is still stored, announced and emailed once.
 */
@Injectable()
export class DocumentRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * @crossTenant the worker's document stage renders every partner's documents; each claimed row is then worked
   * on alone, under the scope stored on it.
   * Claims up to `limit` unrendered documents for `leaseMs`, oldest first, leaving out `inHand` (this process's own).
   */
  async claimToRender(kind: DocumentKind, limit: number, leaseMs: number, inHand: string[]): Promise<FiscalDocument[]> {
    const rows = returned<{ id: string }>(await this.db.query(
      `UPDATE ${kind.table} SET render_claimed_until = clock_timestamp() + $2 * interval '1 millisecond'
       WHERE id IN (
         SELECT id FROM ${kind.table}
         WHERE pdf_rendered_at IS NULL AND (render_claimed_until IS NULL OR render_claimed_until < clock_timestamp()) AND id <> ALL($3::text[])
         ORDER BY issued_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [limit, leaseMs, inHand],
    ));
    return this.byIds(kind, rows.map((r) => r.id), 'issuedAt');
  }

  /**
   * @crossTenant the same stage emails every partner's customers; each row is sent to the customer stored on it.
   * Claims up to `limit` rendered, unemailed documents for `leaseMs` (one email per lease: a lapsed one means
   * the sender died, maybe after the SMTP answer, and the email goes again with the same Message-ID).
   */
  async claimToEmail(kind: DocumentKind, limit: number, leaseMs: number, inHand: string[]): Promise<FiscalDocument[]> {
    const rows = returned<{ id: string }>(await this.db.query(
      `UPDATE ${kind.table} SET email_claimed_until = clock_timestamp() + $2 * interval '1 millisecond'
       WHERE id IN (
         SELECT id FROM ${kind.table}
         WHERE pdf_rendered_at IS NOT NULL AND emailed_at IS NULL AND email_error IS NULL
           AND (email_claimed_until IS NULL OR email_claimed_until < clock_timestamp()) AND id <> ALL($3::text[])
         ORDER BY pdf_rendered_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [limit, leaseMs, inHand],
    ));
    return this.byIds(kind, rows.map((r) => r.id), 'pdfRenderedAt');
  }

  /** @crossTenant what the stage draws a claimed document with: its partner's logo (that document only). */
  async logoOf(partnerId: string): Promise<PartnerLogo | null> {
    return this.db.getRepository(PartnerLogo).findOneBy({ partnerId });
  }

  /** The logo of the scope's partner (a partner asking for another email). */
  async logo(scope: TenantScope): Promise<PartnerLogo | null> {
    return this.db.getRepository(PartnerLogo).findOneBy({ partnerId: scope.partnerId });
  }

  /** @crossTenant the logos of the partners of a claimed batch, by partner id: each goes on its own partner's documents. */
  async logosOf(partnerIds: string[]): Promise<Map<string, PartnerLogo>> {
    if (partnerIds.length === 0) return new Map();
    const logos = await this.db.getRepository(PartnerLogo).findBy({ partnerId: In([...new Set(partnerIds)]) });
    return new Map(logos.map((l) => [l.partnerId, l]));
  }

  /** @crossTenant the order references printed on a claimed batch of invoices, by order id (each on its own invoice). */
  async orderReferencesOf(orderIds: string[]): Promise<Map<string, string | null>> {
    if (orderIds.length === 0) return new Map();
    const orders = await this.db.getRepository(Order).find({ where: { id: In(orderIds) }, select: { id: true, partnerOrderRef: true } });
    return new Map(orders.map((o) => [o.id, o.partnerOrderRef ?? null]));
  }

  /**
   * @crossTenant a claimed document, by its id: stores its PDF, marks it rendered and records its announcement,
   * in one statement, under the scope stored on the row; with `emailLeaseMs`, claims it for email too (as
   * claimToEmail would). Only if it was not rendered yet (a worker whose lease lapsed mid-render loses here):
   * when it stored it, null when someone else did.
   */
  async storeRendered(kind: DocumentKind, doc: FiscalDocument, pdf: Buffer, announcement: object, emailLeaseMs: number | null): Promise<{ renderedAt: Date; emailClaimed: boolean } | null> {
    const scope = scopeOfStoredRow(doc);
    const message = this.outbox.prepare(kind.eventType, doc.orderId, announcement as never);
    // On the driver's pool, as TypeORM's `query` cannot name a statement; one statement needs no transaction around it.
    const pool = (this.db.driver as PostgresDriver).master as { query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: { pdf_rendered_at: Date; email_claimed: boolean }[] }> };
    const { rows } = await pool.query({
      ...STORE_RENDERED.get(kind.name)!,
      values: [
        doc.id,
        pdf,
        createHash('sha256').update(pdf).digest('hex'),
        scope.partnerId,
        scope.environment,
        message.messageId,
        message.type,
        message.orderId,
        message.body,
        message.createdAt,
        message.orderingKey,
        emailLeaseMs,
      ],
    });
    return rows[0] ? { renderedAt: new Date(rows[0].pdf_rendered_at), emailClaimed: rows[0].email_claimed } : null;
  }

  /** @crossTenant the PDF of a claimed document, to attach to its own customer's email. */
  async pdfOfClaimed(kind: DocumentKind, id: string): Promise<Buffer | null> {
    return this.pdfContent(kind, id);
  }

  /** The PDF of a document of the scope (partner API, resend). */
  async pdfOf(scope: TenantScope, kind: DocumentKind, id: string): Promise<Buffer | null> {
    const owned = await this.db.getRepository(entityOf(kind)).existsBy({ id, partnerId: scope.partnerId, environment: scope.environment });
    return owned ? this.pdfContent(kind, id) : null;
  }

  /** @crossTenant the stage records the email outcome on the document it claimed; a recorded one stays. */
  async recordEmail(kind: DocumentKind, id: string, outcome: DocumentEmailOutcome): Promise<void> {
    await this.db.query(
      `UPDATE ${kind.table} SET emailed_at = $2, email_error = $3, email_claimed_until = NULL WHERE id = $1 AND emailed_at IS NULL`,
      [id, outcome.emailedAt ?? null, outcome.emailError],
    );
  }

  /**
   * @crossTenant keeps this process's email claims alive while their emails are on the wire: a short lease that
   * the living sender renews hands a dead worker's emails on within seconds (a long one would hold them its length).
   * A recorded outcome is left as it is.
   */
  async renewEmailClaims(kind: DocumentKind, ids: string[], leaseMs: number): Promise<void> {
    await this.db.query(
      `UPDATE ${kind.table} SET email_claimed_until = clock_timestamp() + $2 * interval '1 millisecond'
       WHERE id = ANY($1::text[]) AND emailed_at IS NULL AND email_error IS NULL`,
      [ids, leaseMs],
    );
  }

  /** @crossTenant a transient SMTP failure: the claimed document may be tried again after `retryMs`, not the whole lease. */
  async releaseEmail(kind: DocumentKind, id: string, retryMs: number): Promise<void> {
    await this.db.query(`UPDATE ${kind.table} SET email_claimed_until = clock_timestamp() + $2 * interval '1 millisecond' WHERE id = $1 AND emailed_at IS NULL`, [id, retryMs]);
  }

  /** @crossTenant by the id of a document its callers checked (owned by the scope, or claimed by the stage). */
  private async pdfContent(kind: DocumentKind, id: string): Promise<Buffer | null> {
    const row = kind.name === 'invoice'
      ? await this.db.getRepository(InvoicePdf).findOneBy({ invoiceId: id })
      : await this.db.getRepository(CreditNotePdf).findOneBy({ creditNoteId: id });
    return row?.content ?? null;
  }

  private async byIds(kind: DocumentKind, ids: string[], orderBy: 'issuedAt' | 'pdfRenderedAt'): Promise<FiscalDocument[]> {
    if (ids.length === 0) return [];
    const docs: FiscalDocument[] = await this.db.getRepository<FiscalDocument>(entityOf(kind)).findBy({ id: In(ids) });
    return docs.sort((a, b) => (a[orderBy]?.getTime() ?? 0) - (b[orderBy]?.getTime() ?? 0));
  }
}
