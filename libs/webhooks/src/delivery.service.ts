import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import type { Endpoint } from '@app/database';
import { judgeAttempt } from './attempt-outcome';
import { AttemptRecordRepository, CompletedAttempt, RecordFollowUps } from './attempt-record.repository';
import { Claim, ClaimedDelivery, ClaimedEndpoint, ClaimRequest, DeliveryClaimRepository } from './delivery-claim.repository';
import { EndpointService } from './endpoint.service';
import { ENDPOINT_LEASE_MS } from './delivery-lease';
import { WaitingEndpointsRepository } from './waiting-endpoints.repository';
import { WebhookSender } from './webhook-sender';
import { webhookHeaders } from './webhook-signature';

interface OpenedSecrets {
  sealed: string;
  previousSealed: string | null;
  previousUntil: number | null;
  secrets: string[];
  until: number | null;
}

/** Endpoints whose opened secrets are kept: past it the cache starts again (a worker serves its partners' endpoints). */
const MAX_OPENED = 10_000;

/**
 * One endpoint's deliveries: claim what may be sent now, send one (signed,
 * same webhook-id on every attempt), judge the answer, record batches of
 * finished attempts. PostgreSQL holds every delivery's state; callers only
 * schedule and keep the sends in flight.
 */
@Injectable()
export class DeliveryService {
  /** Per endpoint id, its secrets as opened from the sealed values seen (see secretsFor); `until`: when the previous one expires. */
  private readonly opened = new Map<string, OpenedSecrets>();

  constructor(
    private readonly claims: DeliveryClaimRepository,
    private readonly waiting: WaitingEndpointsRepository,
    private readonly records: AttemptRecordRepository,
    private readonly endpoints: EndpointService,
    private readonly sender: WebhookSender,
    private readonly config: AppConfig,
  ) {}

  /** What each endpoint may be handed now, within `room` sends for this worker, in one claim. */
  claim(asked: ClaimRequest[], room: number): Promise<Claim[]> {
    return this.claims.claim(asked, room, ENDPOINT_LEASE_MS);
  }

  /** Endpoints with due work whose worker stopped renewing their lease. */
  endpointsWithLapsedLeases(): Promise<string[]> {
    return this.waiting.endpointsWithLapsedLeases();
  }

  /** Endpoints free or held here, other than `busyHere`, with a delivery due for more than `graceMs` (see DeliveryDispatcher's poll). */
  endpointsWaiting(graceMs: number, busyHere: string[]): Promise<string[]> {
    return this.waiting.endpointsWaiting(this.claims.owner, graceMs, busyHere);
  }

  /**
   * This worker is alive and still owes the outcome of sends to these endpoints (endpoint id -> how many): their
   * leases are renewed; `idle` ones are let go. Returns the endpoints still held.
   */
  beat(unrecorded: Map<string, number>, idle: string[]): Promise<Set<string>> {
    return this.claims.beat(unrecorded, idle, ENDPOINT_LEASE_MS);
  }

  async send(endpoint: ClaimedEndpoint, delivery: ClaimedDelivery): Promise<CompletedAttempt> {
    const attemptedAt = new Date();
    const secrets = this.secretsFor(endpoint, attemptedAt);
    // Encoded once for both the signature and the request, as the claim was read (ClaimedDelivery.body).
    const body = delivery.body;
    const headers = webhookHeaders(secrets, delivery.messageId, Math.floor(attemptedAt.getTime() / 1000), body);
    const result = await this.sender.post(endpoint.url, headers, body);
    const verdict = judgeAttempt(result, delivery.attemptsMade + 1, this.config.webhookScheduleScale, this.config.webhookMaxAttempts);
    return { endpoint, delivery, attemptedAt, finishedAt: new Date(), result, verdict };
  }

  /**
   * The endpoint's signing secrets, opened once per endpoint and secret rather than per claim (opening them was
   * ~4 µs per delivery at 200 endpoints, claims of a few deliveries each). Every claim reads the endpoint's sealed
   * secrets fresh from PostgreSQL, and what was opened is reused only while they are the same ciphertexts: a
   * rotation is seen at the next claim. The previous secret is dropped as soon as it expires, as signingSecretsOf
   * would.
   */
  private secretsFor(endpoint: ClaimedEndpoint, at: Date): string[] {
    const opened = this.opened.get(endpoint.id);
    if (
      opened &&
      opened.sealed === endpoint.secretEncrypted &&
      opened.previousSealed === endpoint.previousSecretEncrypted &&
      opened.previousUntil === (endpoint.previousSecretExpiresAt?.getTime() ?? null) &&
      (opened.until === null || at.getTime() < opened.until)
    ) {
      return opened.secrets;
    }
    const secrets = this.endpoints.signingSecretsOf(endpoint as Endpoint, at);
    const previousUntil = endpoint.previousSecretExpiresAt?.getTime() ?? null;
    if (this.opened.size >= MAX_OPENED && !this.opened.has(endpoint.id)) this.opened.clear();
    this.opened.set(endpoint.id, {
      sealed: endpoint.secretEncrypted,
      previousSealed: endpoint.previousSecretEncrypted,
      previousUntil,
      secrets,
      // Still signing with the previous secret: reopen once it expires, to drop it.
      until: previousUntil !== null && previousUntil > at.getTime() ? previousUntil : null,
    });
    return secrets;
  }

  record(batch: CompletedAttempt[]): Promise<RecordFollowUps> {
    return this.records.record(batch, this.config.webhookScheduleScale);
  }

  dueEndpoints(cutoff: Date): Promise<string[]> {
    return this.waiting.dueEndpoints(cutoff);
  }
}
