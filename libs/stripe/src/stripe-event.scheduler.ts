import { Injectable } from '@nestjs/common';
import { JOBS, JobQueue } from '@app/queue';

const PROCESS = JOBS['process-stripe-event'];

/**
 * Schedules processing again for events PostgreSQL says are still to do. The job id is the event id, so a
 * plain add is a no-op while BullMQ still holds a finished job of that id (completed, or failed after its
 * last attempt): that job is removed first. A job still waiting, delayed or running is left alone.
 */
@Injectable()
export class StripeEventScheduler {
  constructor(private readonly queue: JobQueue) {}

  /** Returns how many events were (re)scheduled. */
  async reschedule(eventIds: string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    const queue = this.queue.queue(PROCESS.queue);
    const jobIdOf = (eventId: string) => PROCESS.jobId({ eventId });
    const states = await Promise.all(eventIds.map((eventId) => queue.getJobState(jobIdOf(eventId))));
    const finished = eventIds.filter((_, i) => states[i] === 'completed' || states[i] === 'failed');
    await Promise.all(finished.map((eventId) => queue.remove(jobIdOf(eventId))));
    const due = eventIds.filter((_, i) => states[i] === 'completed' || states[i] === 'failed' || states[i] === 'unknown');
    await this.queue.enqueueBulk('process-stripe-event', due.map((eventId) => ({ eventId })));
    return due.length;
  }
}
