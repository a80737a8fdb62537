import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { CreditNote, CreditNotePdf, entityFromRow, Invoice, InvoicePdf, NamedStatement, PartnerLogo, queryNamedOnPool, scopeOfStoredRow, TenantScope } from '@app/database';
import { OutboxService, outboxWriteSql } from '@app/webhooks';
import { RecentCache } from '../pdf/recent-cache';
import { CREDIT_NOTE, DocumentKind, INVOICE } from './document-kind';

/** An invoice or a credit note: what the pipeline carries. */
export type FiscalDocument = Invoice | CreditNote;

export interface DocumentEmailOutcome {
  emailedAt?: Date;
  emailError: string | null;
}

const entityOf = (kind: DocumentKind) => (kind.name === 'invoice' ? Invoice : CreditNote);

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

/** A document claimed for its render, with what the render needs beside it. */
export interface ClaimedToRender {
  doc: FiscalDocument;
  /** The partner's reference of the document's order (printed on invoices). */
  orderReference: string | null;
  /** The hash of the partner's logo, null without one: DocumentRepository.logosOf reads a logo only when it changed. */
  logoSha256: string | null;
}

/**
 * The render claim and the reads it used to be followed by (the documents, their orders' references, their
 * partners' logos) in one named statement: $1 how many, $2 the lease in ms, $3 the ids this process has in hand.
 * The claimed rows come back whole (RETURNING *), the two joined columns under names no table column has.
 *
 * @crossTenant Builds SQL text once, at module load, and runs nothing: the claim it is run by (claimToRender) takes
 * every partner's documents on purpose, and each joined row is the claimed document's own order and partner.
 */
function claimToRenderStatement(kind: DocumentKind): NamedStatement {
  return {
    name: `claim_to_render_${kind.name}`,
    text: `WITH claimed AS (
        UPDATE ${kind.table} SET render_claimed_until = clock_timestamp() + $2::int * interval '1 millisecond'
        WHERE id IN (
          SELECT id FROM ${kind.table}
          WHERE pdf_rendered_at IS NULL AND (render_claimed_until IS NULL OR render_claimed_until < clock_timestamp()) AND id <> ALL($3::text[])
          ORDER BY issued_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING *)
      SELECT c.*, o.partner_order_ref AS claim_order_reference, l.sha256 AS claim_logo_sha256
      FROM claimed c LEFT JOIN orders o ON o.id = c.order_id LEFT JOIN partner_logos l ON l.partner_id = c.partner_id
      ORDER BY c.issued_at`,
  };
}
const CLAIM_TO_RENDER = new Map(([INVOICE, CREDIT_NOTE] as const).map((kind) => [kind.name, claimToRenderStatement(kind)]));

/** The email claim, returning the claimed rows whole: $1 how many, $2 the lease in ms, $3 the ids in hand. */
function claimToEmailStatement(kind: DocumentKind): NamedStatement {
  return {
    name: `claim_to_email_${kind.name}`,
    text: `UPDATE ${kind.table} SET email_claimed_until = clock_timestamp() + $2::int * interval '1 millisecond'
      WHERE id IN (
        SELECT id FROM ${kind.table}
        WHERE pdf_rendered_at IS NOT NULL AND emailed_at IS NULL AND email_error IS NULL
          AND (email_claimed_until IS NULL OR email_claimed_until < clock_timestamp()) AND id <> ALL($3::text[])
        ORDER BY pdf_rendered_at LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING *`,
  };
}
const CLAIM_TO_EMAIL = new Map(([INVOICE, CREDIT_NOTE] as const).map((kind) => [kind.name, claimToEmailStatement(kind)]));

/**
 * Every statement of the document pipeline over `invoices` / `credit_notes` and their PDFs: the render claim, the
 * PDF stored with its mark and its announcement in one transaction, the email claim and its outcome. The claims
 * are leases (a timestamp column), so a crashed worker's documents are claimable again once it lapses; the marks
 * are conditional, so a document claimed twice is still stored, announced and emailed once.
 */
@Injectable()
export class DocumentRepository {
  /** Logos read lately, by partner (see logosOf); two generations of 8 partners keep it to a few MB at most. */
  private readonly recentLogos = new RecentCache<string, PartnerLogo>(8);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * @crossTenant the worker's document stage renders every partner's documents; each claimed row is then worked
   * on alone, under the scope stored on it.
   * Claims up to `limit` unrendered documents for `leaseMs`, oldest first, leaving out `inHand` (this process's own),
   * with what their render needs beside them (their order's reference, their partner's logo's hash).
   */
  async claimToRender(kind: DocumentKind, limit: number, leaseMs: number, inHand: string[]): Promise<ClaimedToRender[]> {
    const { rows } = await queryNamedOnPool<Record<string, unknown>>(this.db, CLAIM_TO_RENDER.get(kind.name)!, [limit, leaseMs, inHand]);
    return rows.map((row) => ({
      doc: entityFromRow<FiscalDocument>(this.db, entityOf(kind), row),
      orderReference: (row.claim_order_reference as string | null) ?? null,
      logoSha256: (row.claim_logo_sha256 as string | null) ?? null,
    }));
  }

  /**
   * @crossTenant the same stage emails every partner's customers; each row is sent to the customer stored on it.
   * Claims up to `limit` rendered, unemailed documents for `leaseMs` (one email per lease: a lapsed one means
   * the sender died, maybe after the SMTP answer, and the email goes again with the same Message-ID).
   */
  async claimToEmail(kind: DocumentKind, limit: number, leaseMs: number, inHand: string[]): Promise<FiscalDocument[]> {
    const { rows } = await queryNamedOnPool<Record<string, unknown>>(this.db, CLAIM_TO_EMAIL.get(kind.name)!, [limit, leaseMs, inHand]);
    return rows
      .map((row) => entityFromRow<FiscalDocument>(this.db, entityOf(kind), row))
      .sort((a, b) => (a.pdfRenderedAt?.getTime() ?? 0) - (b.pdfRenderedAt?.getTime() ?? 0));
  }

  /** @crossTenant what the stage draws a claimed document with: its partner's logo (that document only). */
  async logoOf(partnerId: string): Promise<PartnerLogo | null> {
    return this.db.getRepository(PartnerLogo).findOneBy({ partnerId });
  }

  /** The logo of the scope's partner (a partner asking for another email). */
  async logo(scope: TenantScope): Promise<PartnerLogo | null> {
    return this.db.getRepository(PartnerLogo).findOneBy({ partnerId: scope.partnerId });
  }

  /**
   * @crossTenant the logos of the partners of a claimed batch, by partner id: each goes on its own partner's
   * documents. Read once per logo (kept while its hash is the one the claim read), not once per batch: the claim
   * reads the hash beside each document, so a replaced logo is read again on its partner's next document.
   */
  async logosOf(claimed: readonly ClaimedToRender[]): Promise<Map<string, PartnerLogo>> {
    const logos = new Map<string, PartnerLogo>();
    const missing = new Set<string>();
    for (const { doc, logoSha256 } of claimed) {
      if (logoSha256 === null) continue;
      const kept = this.recentLogos.get(doc.partnerId);
      if (kept?.sha256 === logoSha256) logos.set(doc.partnerId, kept);
      else missing.add(doc.partnerId);
    }
    if (missing.size === 0) return logos;
    for (const logo of await this.db.getRepository(PartnerLogo).findBy({ partnerId: In([...missing]) })) {
      this.recentLogos.set(logo.partnerId, logo);
      logos.set(logo.partnerId, logo);
    }
    return logos;
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
    const { rows } = await queryNamedOnPool<{ pdf_rendered_at: Date; email_claimed: boolean }>(this.db, STORE_RENDERED.get(kind.name)!, [
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
    ]);
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
}
