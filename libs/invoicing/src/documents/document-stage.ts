import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DocumentMailService } from '../email/document-mail.service';
import { AppConfig } from '@app/config';
import { ChannelListener, PartnerLogo } from '@app/database';
import { DOCUMENT_KINDS, DocumentKind, FISCAL_DOCUMENT_ISSUED_CHANNEL } from './document-kind';
import { DocumentPdfService } from './document-pdf.service';
import { ClaimedToRender, DocumentRepository, FiscalDocument } from './document.repository';

/** The budget of one document (see docs/architecture.md, "Fiscal documents"). */
export const DOCUMENT_STAGE = {
  /** Documents claimed per statement. */
  batch: 25,
  /** Rendering a batch takes well under a second; a lease this short hands a dead worker's documents on quickly. */
  renderLeaseMs: 3000,
  /**
   * One email's claim. SMTP can be slow and a lapsed lease means sending again, so the sender renews its claims
   * every `pollMs` while they are on the wire; a dead worker's emails go again about this long after it died.
   */
  emailLeaseMs: 5000,
  /** A 4xx or a connection failure: tried again after this. */
  emailRetryMs: 5000,
  /** The safety net under the notifications: lost ones, lapsed leases, retries. */
  pollMs: 1000,
  /**
   * Batches in hand at once when documents wait: while one batch's stores and the next claim make their round trips,
   * the other's renders keep the render thread busy. With one, the thread sat idle between batches and fell behind
   * at 100 orders/s with CPU to spare.
   */
  renderLanes: 2,
} as const;

/** Runs `work` until it says there is no more, one run at a time; a kick during a run asks for one more. */
class Pump {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly work: () => Promise<boolean>,
    private readonly onError: (err: Error) => void,
  ) {}

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = null));
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (await this.work());
      } catch (err) {
        this.onError(err as Error);
        return;
      }
    } while (this.again);
  }
}

/**
 * The worker's fiscal-document stage: takes each issued invoice and credit note from PostgreSQL (no queue), renders
 * it, stores the PDF and announces it in one transaction, then emails it to the customer. Woken by the issuing
 * transaction's notification, and by a poll every second for what a notification missed (a lapsed lease, a retry).
 */
@Injectable()
export class DocumentStage implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DocumentStage.name);
  private readonly rendering = new Set<string>();
  /**
   * The kinds a claim should look at: those announced since their last claim (the issuing statement notifies its
   * kind), every kind at boot and at each poll (lapsed leases, lost notifications). A payment claims no credit notes.
   */
  private readonly renderDue = new Set<DocumentKind['name']>(DOCUMENT_KINDS.map((k) => k.name));
  private readonly emailing = new Set<string>();
  private readonly sending = new Set<Promise<void>>();
  private emailsBehind = false;
  /** Lane 0 is woken by notifications and the poll; the others join when a claim comes back full (see renderLanes). */
  private readonly renders = Array.from(
    { length: DOCUMENT_STAGE.renderLanes },
    (_, lane) => new Pump(() => this.renderBatch(lane), (err) => this.logger.warn(`Render stage: ${err.message}`)),
  );
  private readonly emails = new Pump(() => this.emailBatch(), (err) => this.logger.warn(`Email stage: ${err.message}`));
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private issued?: ChannelListener;

  constructor(
    private readonly documents: DocumentRepository,
    private readonly pdfs: DocumentPdfService,
    private readonly mail: DocumentMailService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.pdfs.warm();
    // Woken as the issuing transactions commit; a notification lost while disconnected waits for the poll.
    this.issued = new ChannelListener({
      databaseUrl: this.config.databaseUrl,
      channel: FISCAL_DOCUMENT_ISSUED_CHANNEL,
      name: 'document-issued',
      covers: 'the document poll covers the gap',
      onNotification: (kind) => this.renderIsDue(kind),
    });
    await this.issued.start();
    this.timer = setInterval(() => {
      this.renderIsDue();
      this.emails.kick();
      this.renewEmailClaims();
    }, DOCUMENT_STAGE.pollMs);
    this.renders[0].kick();
    this.emails.kick();
  }

  /** `kind` announced (a notification's payload), or every kind when none is said or it is not one. */
  private renderIsDue(kind?: string): void {
    const announced = DOCUMENT_KINDS.find((k) => k.name === kind);
    for (const k of announced ? [announced] : DOCUMENT_KINDS) this.renderDue.add(k.name);
    this.renders[0].kick();
  }

  /** Before the mailer closes: takes nothing more and lets the documents in hand finish. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.issued?.stop();
    await Promise.all([...this.renders.map((r) => r.idle()), this.emails.idle()]);
    // The emails on the wire keep their claims until they end, or another worker would send them again.
    const renewing = setInterval(() => this.renewEmailClaims(), DOCUMENT_STAGE.pollMs);
    try {
      await Promise.all([...this.sending]);
    } finally {
      clearInterval(renewing);
    }
  }

  /**
   * One claim per kind announced since its last claim; true when a batch came back full (more may wait). A full
   * batch also wakes the next lane, so its claim and renders overlap this batch's stores.
   */
  private async renderBatch(lane: number): Promise<boolean> {
    if (this.stopped) return false;
    let more = false;
    for (const kind of DOCUMENT_KINDS) {
      // Taken off before the claim: a document issued during it announces its kind again, and the pump runs again.
      if (!this.renderDue.delete(kind.name)) continue;
      // Not the documents another lane has in hand (their leases are this process's too).
      const claimed = await this.documents.claimToRender(kind, DOCUMENT_STAGE.batch, DOCUMENT_STAGE.renderLeaseMs, [...this.rendering]);
      if (claimed.length === DOCUMENT_STAGE.batch) {
        more = true;
        this.renderDue.add(kind.name);
        this.renders[(lane + 1) % this.renders.length].kick();
      }
      for (const { doc } of claimed) this.rendering.add(doc.id);
      try {
        await this.renderAll(kind, claimed);
      } finally {
        for (const { doc } of claimed) this.rendering.delete(doc.id);
      }
    }
    return more;
  }

  /**
   * Asks for every render of the batch at once (they run in the render threads, off this event loop) and stores
   * each document as soon as its PDF is back: the stores (a few round trips each) overlap the renders still going.
   */
  private async renderAll(kind: DocumentKind, claimed: ClaimedToRender[]): Promise<void> {
    if (claimed.length === 0) return;
    const logos = await this.documents.logosOf(claimed);
    await Promise.all(
      claimed.map(async ({ doc, orderReference }) => {
        const logo = logos.get(doc.partnerId) ?? null;
        let pdf: Buffer;
        try {
          pdf = await this.pdfs.render(kind, doc, logo?.content ?? null, orderReference);
        } catch (err) {
          // Left claimed: the lease lapses and the poll takes it again.
          this.logger.warn(`${kind.label} ${doc.number} not rendered, will retry: ${(err as Error).message}`);
          return;
        }
        await this.store(kind, doc, pdf, logo);
      }),
    );
  }

  /**
   * Stores the PDF and, while fewer than a batch of emails are in flight, claims the document for email in the
   * same statement and sends it with the PDF and logo in hand (no claim, no reads back). Otherwise the email pump
   * claims it later, as it does a document whose email lease lapsed.
   */
  private async store(kind: DocumentKind, doc: FiscalDocument, pdf: Buffer, logo: PartnerLogo | null): Promise<void> {
    const handOver = !this.stopped && this.emailing.size < DOCUMENT_STAGE.batch;
    if (handOver) this.emailing.add(doc.id);
    let emailing = false;
    try {
      const stored = await this.documents.storeRendered(kind, doc, pdf, this.pdfs.announcementOf(kind, doc), handOver ? DOCUMENT_STAGE.emailLeaseMs : null);
      if (stored?.emailClaimed) {
        emailing = true;
        this.startEmail(kind, doc, { pdf, logo });
      } else if (stored) this.emails.kick();
    } catch (err) {
      this.logger.warn(`${kind.label} ${doc.number} not stored, will retry: ${(err as Error).message}`);
    } finally {
      if (handOver && !emailing) this.emailing.delete(doc.id);
    }
  }

  /**
   * Claims what fits beside the emails in flight and starts them without waiting: a slow SMTP answer holds its own
   * document, not the ones stored after it. When a claim came back full, each email that ends asks for another.
   */
  private async emailBatch(): Promise<boolean> {
    if (this.stopped) return false;
    let behind = false;
    for (const kind of DOCUMENT_KINDS) {
      const room = DOCUMENT_STAGE.batch - this.emailing.size;
      if (room <= 0) {
        behind = true;
        break;
      }
      const claimed = await this.documents.claimToEmail(kind, room, DOCUMENT_STAGE.emailLeaseMs, [...this.emailing]);
      behind ||= claimed.length === room;
      for (const doc of claimed) {
        this.emailing.add(doc.id);
        this.startEmail(kind, doc);
      }
    }
    this.emailsBehind = behind;
    return false;
  }

  /** Renews the lease of every email this process has on the wire (one statement per kind). */
  private renewEmailClaims(): void {
    if (this.emailing.size === 0) return;
    const ids = [...this.emailing];
    for (const kind of DOCUMENT_KINDS) {
      this.documents.renewEmailClaims(kind, ids, DOCUMENT_STAGE.emailLeaseMs).catch((err: Error) =>
        // The next tick tries again; four missed ticks in a row let another worker send the email again.
        this.logger.warn(`${kind.label} email claims not renewed: ${err.message}`),
      );
    }
  }

  /** Sends a document this process holds the email claim of (in `emailing`), without waiting for it. */
  private startEmail(kind: DocumentKind, doc: FiscalDocument, inHand?: { pdf: Buffer; logo: PartnerLogo | null }): void {
    const sending = this.emailOne(kind, doc, inHand).finally(() => {
      this.sending.delete(sending);
      // Only when a claim came back full: otherwise new documents kick the pump when stored.
      if (this.emailsBehind) this.emails.kick();
    });
    this.sending.add(sending);
  }

  private async emailOne(kind: DocumentKind, doc: FiscalDocument, inHand?: { pdf: Buffer; logo: PartnerLogo | null }): Promise<void> {
    try {
      const outcome = await this.mail.send(kind, doc, inHand);
      if (outcome === 'failed') await this.documents.releaseEmail(kind, doc.id, DOCUMENT_STAGE.emailRetryMs);
    } catch (err) {
      // Left claimed: the lease lapses and the poll takes it again.
      this.logger.warn(`${kind.label} ${doc.number} not emailed, will retry: ${(err as Error).message}`);
    } finally {
      this.emailing.delete(doc.id);
    }
  }
}
