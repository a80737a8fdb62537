import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AppError, parseInput } from '@app/errors';
import { StripeEventCursor, StripeEventRepository, StripeEventSummary } from '@app/stripe';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ApiDoc } from '../openapi/api-doc.decorator';

const STATUSES = ['received', 'processed', 'unrouted', 'ignored', 'waiting', 'failed'] as const;

export const listEventsQuery = z.strictObject({
  status: z.enum(STATUSES).optional().describe('failed: every attempt failed; waiting: a refund waiting for its invoice; unrouted: no partner found'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).regex(/^[A-Za-z0-9_-]+$/, 'must be the next_cursor of the previous page').optional().describe('the next_cursor of the previous page'),
});

const eventIdParam = z.string().max(255).regex(/^evt_[A-Za-z0-9_]+$/, 'must be a Stripe event id (evt_…)');

// Events are received in this century; anything else in a cursor was not written by us.
const CURSOR_RANGE = { from: Date.UTC(2000, 0, 1), to: Date.UTC(10000, 0, 1) };

function encodeCursor(row: StripeEventSummary): string {
  return Buffer.from(`${row.receivedAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): StripeEventCursor {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const receivedAt = new Date(iso);
  const time = receivedAt.getTime();
  if (!id || !/^evt_[A-Za-z0-9_]+$/.test(id) || Number.isNaN(time) || time < CURSOR_RANGE.from || time >= CURSOR_RANGE.to) {
    throw AppError.validation([{ field: 'cursor', message: 'is not a cursor this API returned' }]);
  }
  return { receivedAt, id };
}

function eventView(e: StripeEventSummary) {
  return {
    id: e.id,
    object: 'stripe_event',
    type: e.type,
    livemode: e.livemode,
    status: e.status,
    partner_id: e.partnerId,
    detail: e.detail,
    attempts: e.attempts,
    last_error: e.lastError,
    received_at: e.receivedAt.toISOString(),
    processed_at: e.processedAt?.toISOString() ?? null,
    failed_at: e.failedAt?.toISOString() ?? null,
  };
}

/** The Stripe inbox for operators: events that failed, wait or found no partner, and a retry for failed ones. */
@Controller('admin/events')
@UseGuards(AdminAuthGuard)
export class AdminEventsController {
  constructor(private readonly inbox: StripeEventRepository) {}

  @ApiDoc('Operator', 'admin', {
    summary: 'List Stripe events',
    description: 'Newest first, by status; never the payload (it holds customers\' data). `last_error` is sanitised: no personal data or secrets.',
    query: listEventsQuery,
    response: {
      status: 200,
      description: 'A page of events',
      example: {
        object: 'list',
        data: [{ id: 'evt_1QxY2Z', object: 'stripe_event', type: 'checkout.session.completed', livemode: false, status: 'failed', partner_id: 'prt_4f1c2a9e', detail: null, attempts: 12, last_error: 'QueryFailedError 23514: new row for relation "invoices" violates check constraint "invoices_number_check"', received_at: '2026-03-02T09:14:03.120Z', processed_at: null, failed_at: '2026-03-02T10:22:41.007Z' }],
        has_more: false,
        next_cursor: null,
      },
    },
    errors: ['validation_failed'],
  })
  @Get()
  async list(@Query() query: unknown) {
    const { status, limit, cursor } = parseInput(listEventsQuery, query);
    const rows = await this.inbox.page(status, limit + 1, cursor ? decodeCursor(cursor) : undefined);
    const data = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    return { object: 'list', data: data.map(eventView), has_more: hasMore, next_cursor: hasMore ? encodeCursor(data[data.length - 1]) : null };
  }

  @ApiDoc('Operator', 'admin', {
    summary: 'Retry a failed Stripe event',
    description: 'Processes a `failed` event again, with a fresh count of attempts; if it still fails it ends `failed` again, with its new error.',
    response: { status: 202, description: 'Scheduled', example: { id: 'evt_1QxY2Z', object: 'stripe_event', status: 'received' } },
    errors: ['validation_failed', 'not_found', 'conflict'],
  })
  @Post(':id/retry')
  @HttpCode(202)
  async retry(@Param('id') id: string) {
    const eventId = parseInput(z.strictObject({ id: eventIdParam }), { id }).id;
    const outcome = await this.inbox.retryFailed(eventId);
    if (outcome.kind === 'not_found') throw AppError.notFound('Stripe event', eventId);
    if (outcome.kind === 'not_failed') throw new AppError('conflict', `Only a failed event can be retried; this one is ${outcome.status}.`);
    // The reset commits with a NOTIFY: a worker claims it at once (or at its next poll if it missed it).
    return { id: eventId, object: 'stripe_event', status: 'received' };
  }
}
