import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { ChannelListener } from '@app/database';
import { JobQueue } from '@app/queue';
import { AttemptBatches } from './attempt-batches';
import type { CompletedAttempt, RecordFollowUps } from './attempt-record.repository';
import { CLAIM_CONNECTIONS, type ClaimedDelivery, type ClaimedEndpoint } from './delivery-claim.repository';
import { DeliveryService } from './delivery.service';
import { EndpointSends } from './endpoint-sends';
import { PickedAhead } from './picked-ahead';
import { WorkerRoom } from './worker-room';
import { QuietLooks } from './quiet-looks';
import { LEASE_RENEW_EVERY_MS } from './delivery-lease';
import { DELIVERY_DUE_CHANNEL } from './outbox.repository';

/**
 * Claims in flight at once, each for endpoints no other running claim has: the pick excludes what this process
 * holds as of the claim's start, so two claims of the same endpoint at once could both pick its next delivery.
 */
const PARALLEL_CLAIMS = CLAIM_CONNECTIONS;
/**
 * The short poll behind the commit announcements: a producer skips announcing an endpoint that already has a
 * delivery due (OutboxRepository), and the claim that delivery brings may run just before the new one commits.
 * A delivery due for WAITING_GRACE_MS at an endpoint free or held here (and not being sent to) is then claimed
 * within WAITING_POLL_MS more.
 */
const WAITING_POLL_MS = 100;
const WAITING_GRACE_MS = 100;
/**
 * The same race, closed sooner for endpoints this process is busy with: when its last send to an endpoint ends, and
 * when that endpoint's attempts are recorded, it is looked at once more LINGER_MS after the latest of these
 * (QuietLooks). A producer that skipped its announcement saw one of those deliveries waiting (until recorded) and has
 * usually committed by then, so its delivery goes out then rather than at the next short poll (up to
 * WAITING_GRACE_MS + WAITING_POLL_MS). Looked at after the first send's end only, a later send or record made the look
 * too early: bench:delivery's delay part, 1,000/s over 8 endpoints, read committed -> first attempt p99 129-153 ms.
 */
const LINGER_MS = 40;

/**
 * Keeps partner requests in flight for this worker process. A wake-up (a
 * committed delivery announced by PostgreSQL, a queue job, the sweeper) only
 * asks it to look at an endpoint ("pump"): it claims what that endpoint may
 * take now and starts the sends without awaiting them, so a partner that
 * hangs until the timeout holds sockets and its lease, never a queue slot that
 * other partners need. Finished attempts are recorded in batches (group
 * commit); each batch frees its endpoints' slots and pumps them again. The
 * process leases endpoints, not deliveries (DeliveryClaimRepository): what it
 * sent and has not recorded is known here only, and a heartbeat renews the
 * leases of the endpoints it still owes outcomes to and lets idle ones go, so
 * the leases can stay short: a dead worker's endpoints are free again seconds
 * after it stops renewing them, and their unrecorded deliveries are re-sent.
 */
@Injectable()
export class DeliveryDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryDispatcher.name);
  private inFlight = 0;
  private readonly sends = new Set<Promise<void>>();
  /** Endpoints to look at in the next claim. */
  private readonly wanted = new Set<string>();
  private claimsRunning = 0;
  /** The claim that will take every endpoint asked while PARALLEL_CLAIMS are running. */
  private queuedClaim: Promise<void> | null = null;
  private readonly claimSlotFreed: (() => void)[] = [];
  /** The room under this process's cap on sends in flight, and the endpoints waiting for it. */
  private readonly workerRoom: WorkerRoom;
  /** Finished attempts, recorded in batches (group commit). */
  private readonly records = new AttemptBatches(
    (batch) => this.deliveries.record(batch),
    (batch, followUps) => this.afterRecord(batch, followUps),
  );
  private wakeups?: ChannelListener;
  /** What this process sent to each endpoint and has not recorded yet. */
  private readonly sent = new EndpointSends();
  /** Endpoints whose lease this process took: renewed while they have sends unrecorded, let go when idle. */
  private readonly leasedEndpoints = new Set<string>();
  /** Endpoints of the claim running: not let go meanwhile (the claim may just have leased them). */
  private readonly claiming = new Set<string>();
  private heartbeat?: NodeJS.Timeout;
  private waitingPoll?: NodeJS.Timeout;
  private polling = false;
  /**
   * Per endpoint, deliveries picked ahead (pickAhead in claim-policy) and not sent yet, in the order picked: each 2xx
   * starts the next at once. Leased like the sent ones (the heartbeat keeps the lease), never picked again meanwhile.
   */
  private readonly queued = new PickedAhead();
  /**
   * Endpoints of a running claim that had a failed answer meanwhile: the claim read the endpoint as it was before
   * (circuit closed, the failure not counted), so its picks are not sent, as the queue is not (see launch).
   */
  private readonly failedWhileClaiming = new Set<string>();
  /** A look LINGER_MS after an endpoint went quiet here; skipped if sends started there again (each pumps it as it ends). */
  private readonly quietLooks = new QuietLooks(LINGER_MS, (id) => {
    if (!this.sent.isOpen(id)) this.pumpQuietly(id);
  });
  private stopping = false;

  constructor(
    private readonly deliveries: DeliveryService,
    private readonly queue: JobQueue,
    private readonly config: AppConfig,
  ) {
    this.workerRoom = new WorkerRoom(config.webhookMaxInFlightPerWorker);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.heartbeat = setInterval(() => {
      this.beat();
      this.takeOverLapsedLeases();
    }, LEASE_RENEW_EVERY_MS);
    this.waitingPoll = setInterval(() => this.pumpWaiting(), WAITING_POLL_MS);
    // The endpoints of deliveries as their outbox transaction commits; a lost one is only late (the sweeper).
    this.wakeups = new ChannelListener({
      databaseUrl: this.config.databaseUrl,
      channel: DELIVERY_DUE_CHANNEL,
      name: 'delivery-wake',
      covers: 'the sweeper covers the gap',
      onNotification: (endpointId) => endpointId && this.pumpQuietly(endpointId),
    });
    await this.wakeups.start();
  }

  /**
   * Claims and starts what `endpointId` may take now. Up to PARALLEL_CLAIMS
   * claims run at once (on disjoint endpoints); a call made while all are busy
   * is served, with every other endpoint asked meanwhile, by the next claim to
   * start (one transaction for all of them). The promise settles with that claim.
   */
  pump(endpointId: string): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.workerRoom.asked(endpointId);
    this.wanted.add(endpointId);
    return this.kick();
  }

  /** Starts a claim for the endpoints wanted and not in a running claim, or queues one for when a claim ends. */
  private kick(): Promise<void> {
    if (this.queuedClaim) return this.queuedClaim;
    if (this.claimsRunning < PARALLEL_CLAIMS && [...this.wanted].some((id) => !this.claiming.has(id))) return this.startClaim();
    this.queuedClaim = new Promise<void>((resolve) => this.claimSlotFreed.push(resolve)).then(() => {
      this.queuedClaim = null;
      return this.startClaim();
    });
    return this.queuedClaim;
  }

  private startClaim(): Promise<void> {
    this.claimsRunning++;
    return this.claimWanted().finally(() => {
      this.claimsRunning--;
      const next = this.claimSlotFreed.shift();
      if (next) next();
      // Endpoints asked while their claim ran, and no claim queued for them: their turn now.
      else if (this.wanted.size > 0 && !this.stopping) this.kick().catch((err) => this.logger.warn(`Claim failed: ${(err as Error).message}`));
    });
  }

  private async claimWanted(): Promise<void> {
    // An endpoint in a running claim waits for the next one (see PARALLEL_CLAIMS). Each claim may fill at most its
    // share of the room: one running now is not counted in inFlight yet.
    const room = Math.floor((this.config.webhookMaxInFlightPerWorker - this.inFlight) / PARALLEL_CLAIMS);
    const ids = this.workerRoom.takeForClaim(this.wanted, this.claiming, room, (id) => this.queued.wants(id, this.sent.busy(id)));
    if (ids.length === 0 || this.stopping) return;
    for (const id of ids) this.claiming.add(id);
    try {
      await this.claimFor(ids, room);
    } finally {
      for (const id of ids) {
        this.claiming.delete(id);
        this.failedWhileClaiming.delete(id);
      }
    }
  }

  private async claimFor(ids: string[], room: number): Promise<void> {
    if (room <= 0) {
      for (const id of ids) this.workerRoom.waitForRoom(id);
      return;
    }
    // Endpoints with a failure unrecorded as the claim starts: it may read the circuit before the record counts it,
    // and the record free those slots before it returns: its picks then let 10 fresh requests follow 10 failures
    // (delivery-circuit: 20 attempts where 19 is the bound). The record pumps the endpoint again: that claim decides.
    const failureUncounted = new Set(ids.filter((id) => this.sent.failedUnrecorded(id) > 0));
    const claims = await this.deliveries.claim(
      ids.map((endpointId) => {
        const waiting = this.queued.ids(endpointId);
        return {
          endpointId,
          held: [...this.sent.held(endpointId), ...waiting],
          answered: this.sent.answeredCount(endpointId),
          queued: waiting.length,
          take: !this.leasedEndpoints.has(endpointId),
        };
      }),
      room,
    );
    // An endpoint asked as held that came back without a claim lost its lease (lapsed, released by a heartbeat that
    // raced this claim's take, or taken by another worker): asked again at once, now taking the lease, since the
    // wake-up that brought it here (a retry, a commit) will not come twice and the short poll is 100-200 ms away.
    // Asked as not held, it is another live worker's: that one pumps it.
    const returned = new Set(claims.map((c) => c.endpointId));
    for (const id of ids) {
      if (returned.has(id) || !this.leasedEndpoints.delete(id)) continue;
      this.queued.drop(id);
      this.pumpQuietly(id);
    }
    for (const claim of claims) {
      this.leasedEndpoints.add(claim.endpointId);
      // An endpoint found in trouble (circuit not closed) or paced keeps nothing picked while it looked healthy; its
      // picks counted as in flight in this claim (no probe could go), so it is asked again without them.
      if (!claim.mayPickAhead && this.queued.ids(claim.endpointId).length > 0) {
        this.queued.drop(claim.endpointId);
        this.pumpQuietly(claim.endpointId);
      }
      if (claim.roomRanOut) this.workerRoom.waitForRoom(claim.endpointId);
      // Not sent: still pending in PostgreSQL, for the claim that follows the failure's record (it pumps the endpoint).
      if (this.stopping || failureUncounted.has(claim.endpointId) || this.failedWhileClaiming.has(claim.endpointId)) continue;
      this.queued.add(claim);
      this.drain(claim.endpointId);
    }
    // Not awaited: the next claim (other endpoints' turn) does not wait for Redis.
    for (const c of claims) if (c.wakeAt) this.wake(c.endpointId, c.wakeAt).catch((err) => this.logger.warn(`Wake of ${c.endpointId} not scheduled: ${(err as Error).message}`));
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  /**
   * Starts the endpoint's queued deliveries while it has free slots (its max_in_flight less the requests open there
   * and the failures not yet recorded, as the claim counts them) and this worker is under its cap.
   */
  private drain(endpointId: string): void {
    this.queued.startWhile(
      endpointId,
      (maxInFlight) => {
        if (this.stopping) return false;
        if (this.inFlight >= this.config.webhookMaxInFlightPerWorker) {
          this.workerRoom.waitForSlot(endpointId);
          return false;
        }
        return this.sent.busy(endpointId) < maxInFlight;
      },
      (endpoint, delivery) => this.launch(endpoint, delivery),
    );
  }

  /** A 2xx's slot goes to the next delivery queued; a claim tops the queue up once half of it is gone. */
  private afterAnswer(endpointId: string): void {
    this.drain(endpointId);
    if (this.queued.wantsMore(endpointId)) this.pumpQuietly(endpointId);
  }

  private launch(endpoint: ClaimedEndpoint, delivery: ClaimedDelivery): void {
    this.inFlight++;
    this.sent.started(endpoint.id, delivery.id);
    const send = this.deliveries
      .send(endpoint, delivery)
      .then((done) => {
        // A 2xx frees the partner's slot now; recording (group commit) catches up without holding it. A failure
        // keeps its slot until it is counted, so a failing endpoint's circuit opens before more requests go out.
        if (done.verdict.kind === 'delivered') {
          this.sent.answered2xx(endpoint.id, delivery.id);
          this.afterAnswer(endpoint.id);
        } else {
          // The endpoint may be in trouble: what was picked ahead goes back to PostgreSQL (still pending, never
          // sent), and the next claim, after this failure is recorded and counted by the circuit, decides again.
          this.queued.drop(endpoint.id);
          this.sent.failedAttempt(endpoint.id, delivery.id);
          if (this.claiming.has(endpoint.id)) this.failedWhileClaiming.add(endpoint.id);
        }
        this.records.add(done);
      })
      .catch((err) => {
        this.sent.forget(endpoint.id, delivery.id);
        this.logger.error(`Send of ${delivery.id} crashed: ${(err as Error).message}`);
      })
      .finally(() => {
        this.inFlight--;
        if (this.sent.ended(endpoint.id)) this.quietLooks.after(endpoint.id);
        this.sends.delete(send);
        this.serveWaiting();
      });
    this.sends.add(send);
  }

  /** A send ended (or the short poll's tick, with any room: `minRoom` 1): see WorkerRoom.serve. */
  private serveWaiting(minRoom?: number): void {
    this.workerRoom.serve(() => this.inFlight, (id) => this.drain(id), (id) => this.pumpQuietly(id), minRoom);
  }

  /** A batch recorded, or given up on (then the next pick sends it again, same webhook-id: late, never lost). */
  private async afterRecord(batch: CompletedAttempt[], followUps: RecordFollowUps | null): Promise<void> {
    for (const c of batch) this.sent.forget(c.endpoint.id, c.delivery.id);
    for (const id of new Set(batch.map((c) => c.endpoint.id))) if (!this.sent.isOpen(id)) this.quietLooks.after(id);
    if (followUps) await this.followUp(followUps);
  }

  private async followUp(f: RecordFollowUps): Promise<void> {
    for (const endpointId of f.pump) this.pumpQuietly(endpointId);
    await Promise.all(f.wakes.map((w) => this.wake(w.endpointId, w.at)));
    const disabledAt = Date.now();
    await Promise.all(f.disabled.map((endpointId) => this.queue.tryEnqueue('send-endpoint-disabled-email', { endpointId, disabledAt })));
  }

  private async wake(endpointId: string, at: Date): Promise<void> {
    const delayMs = Math.max(0, at.getTime() - Date.now());
    await this.queue.tryEnqueue('wake-endpoint', { endpointId, at: at.getTime() }, { delayMs });
  }

  private pumpQuietly(endpointId: string): void {
    // A failure here is recovered by the sweeper, which wakes every endpoint with due work.
    this.pump(endpointId).catch((err) => this.logger.warn(`Pump of ${endpointId} failed: ${(err as Error).message}`));
  }

  /**
   * Renews the leases of endpoints with sends unrecorded here and lets the others go (another worker may take them
   * at once). A lease found taken by another worker (this one looked dead) is dropped: that worker pumps it now.
   */
  private beat(): void {
    if (this.leasedEndpoints.size === 0 && !this.sent.anyUnrecorded) return;
    const owed = this.sent.owed();
    // Deliveries picked ahead are leased as much as sent ones: another worker must not pick them meanwhile.
    for (const endpointId of this.queued.endpoints()) if (!owed.has(endpointId)) owed.set(endpointId, 0);
    const idle = [...this.leasedEndpoints].filter((id) => !owed.has(id) && !this.wanted.has(id) && !this.claiming.has(id));
    for (const id of idle) this.leasedEndpoints.delete(id);
    // A missed beat is harmless while the next one comes before the lease ends; after that, another worker may re-send (same webhook-id).
    this.deliveries
      .beat(owed, idle)
      .then((held) => {
        for (const id of owed.keys()) {
          if (held.has(id)) continue;
          this.leasedEndpoints.delete(id);
          // Another worker may pick them now: what is not sent yet is not sent from here.
          this.queued.drop(id);
        }
      })
      .catch((err) => this.logger.warn(`Could not renew ${owed.size} endpoint lease(s): ${(err as Error).message}`));
  }

  /**
   * The short poll. Endpoints this process has sends open at are left to memory: each finishing send pumps its
   * endpoint anyway. One whose sends are quiet (hanging) is pumped all the same: a producer skips announcing an
   * endpoint while a delivery is in flight there (OutboxRepository), so the poll is what hands it its remaining slots.
   */
  private pumpWaiting(): void {
    if (this.stopping || this.polling) return;
    // At the cap, whatever it found could only wait for a slot here: each send that ends hands one out.
    if (this.inFlight >= this.config.webhookMaxInFlightPerWorker) return;
    // Endpoints already wait for room: they come first, and whatever the poll found would wait behind them. Served
    // here too, with any room, not only when a send ends: none may be left to end (a claim whose picks were not
    // sent), or hanging ones may keep the room below minClaimRoom.
    if (this.workerRoom.anyWaitingForRoom) return this.serveWaiting(1);
    this.polling = true;
    // Endpoints with sends open here are not looked for in PostgreSQL: each send that ends pumps its endpoint. Those
    // quiet for WAITING_GRACE_MS (a partner slow to answer, or hanging) are pumped from here, if their queue wants
    // more: their free slots may have deliveries whose announcement was skipped. Before, the poll walked their due
    // deliveries in PostgreSQL to find that out, and a busy worker has many of them: bench:delivery's drain over 200
    // endpoints, answers queued behind 128 sockets, had ~136 such endpoints per poll, 4-9 ms of PostgreSQL each time.
    for (const id of this.sent.quietSince(Date.now() - WAITING_GRACE_MS)) if (this.queued.wantsMore(id)) this.pumpQuietly(id);
    // Nor those already asked for (their claim is coming) or with deliveries picked ahead (waiting for a slot here):
    // in the same drain, ~2,600 of the 5,700 endpoints the polls found were.
    const known = [...this.sent.openEndpoints(), ...this.wanted, ...this.claiming, ...this.queued.endpoints()];
    this.deliveries
      .endpointsWaiting(WAITING_GRACE_MS, known)
      // A send may have started meanwhile: those endpoints are pumped when it ends.
      .then((ids) => ids.filter((id) => !this.sent.isOpen(id)).forEach((id) => this.pumpQuietly(id)))
      .catch((err) => this.logger.warn(`Could not look for waiting deliveries: ${(err as Error).message}`))
      .finally(() => (this.polling = false));
  }

  /** A dead worker's endpoints are claimed again as soon as their lease runs out, not at the next sweep. */
  private takeOverLapsedLeases(): void {
    if (this.stopping) return;
    this.deliveries
      .endpointsWithLapsedLeases()
      .then((ids) => ids.forEach((id) => this.pumpQuietly(id)))
      .catch((err) => this.logger.warn(`Could not look for lapsed leases: ${(err as Error).message}`));
  }

  /** Takes no more work, lets the sends in flight finish (bounded by the timeout) and records them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.quietLooks.stop();
    // Not sent: still pending in PostgreSQL, for the next worker to claim.
    this.queued.clear();
    await this.wakeups?.stop();
    await Promise.allSettled([...this.sends]);
    await this.records.drain();
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.waitingPoll) clearInterval(this.waitingPoll);
    // Everything is recorded: another worker may take these endpoints at once rather than after the lease.
    const idle = [...this.leasedEndpoints];
    this.leasedEndpoints.clear();
    if (idle.length > 0) await this.deliveries.beat(new Map(), idle).catch((err) => this.logger.warn(`Could not let ${idle.length} endpoint lease(s) go: ${(err as Error).message}`));
  }
}
