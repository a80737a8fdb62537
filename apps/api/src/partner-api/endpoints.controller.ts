import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { parseInput } from '@app/errors';
import { AuthenticatedPartner } from '@app/partners';
import { EndpointControlService, EndpointHealthService, EndpointService, MessageReplayService, MessageRepository, PingService } from '@app/webhooks';
import { CurrentPartner, PartnerAuthGuard } from '../auth/partner-auth.guard';
import { endpointView } from './endpoint.view';
import { createEndpointSchema } from './partner-api.schemas';
import { attemptsQuery, recoverBody, updateEndpointBody } from './partner-queries.schemas';
import { attemptView } from './partner-views';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { EXAMPLE_ATTEMPT, EXAMPLE_ENDPOINT, list } from '../openapi/examples';

@Controller('v1/endpoints')
@UseGuards(PartnerAuthGuard)
export class EndpointsController {
  constructor(
    private readonly endpoints: EndpointService,
    private readonly messages: MessageRepository,
    private readonly replay: MessageReplayService,
    private readonly pings: PingService,
    private readonly health: EndpointHealthService,
    private readonly control: EndpointControlService,
  ) {}

  /** The signing secret is returned here, at creation, and by GET /secret. */
  @ApiDoc('Endpoints', 'partner', { summary: 'Register a webhook URL', description: 'In the environment of the key. https:// required in production; http:// accepted in staging; at most 10 per environment; private and loopback addresses are refused. max_in_flight and rate_limit_per_second limit how hard deliveries hit your server. The signing secret is returned once here (and by GET /secret).', body: createEndpointSchema, response: { status: 201, description: 'The endpoint and its whsec_ secret', example: { ...EXAMPLE_ENDPOINT, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } }, errors: ['validation_failed', 'conflict'], idempotent: true })
  @Post()
  @HttpCode(201)
  async create(@CurrentPartner() auth: AuthenticatedPartner, @Body() body: unknown) {
    const { endpoint, secret } = await this.endpoints.create(auth, parseInput(createEndpointSchema, body));
    return { ...endpointView(endpoint), secret };
  }

  @ApiDoc('Endpoints', 'partner', { summary: 'List the endpoints of the environment', response: { status: 200, description: 'Endpoints, oldest first', example: { object: 'list', data: [EXAMPLE_ENDPOINT] } } })
  @Get()
  async list(@CurrentPartner() auth: AuthenticatedPartner) {
    return { object: 'list', data: (await this.endpoints.withLimits(auth, await this.endpoints.list(auth))).map(endpointView) };
  }

  @ApiDoc('Endpoints', 'partner', { summary: 'Get an endpoint', response: { status: 200, description: 'The endpoint', example: EXAMPLE_ENDPOINT }, errors: ['not_found'] })
  @Get(':id')
  async get(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    return { ...(await this.view(auth, id)), stats: await this.health.statsOf(auth, id) };
  }

  @ApiDoc('Endpoints', 'partner', { summary: 'Delivery health of an endpoint', description: 'Success rate over the last hour and day, last success and failure, backlog, circuit state, why it is disabled.', response: { status: 200, description: 'Statistics' }, errors: ['not_found'] })
  @Get(':id/stats')
  async stats(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    return { object: 'endpoint_stats', ...(await this.health.statsOf(auth, id)) };
  }

  @ApiDoc('Endpoints', 'partner', { summary: 'Stop deliveries to an endpoint', description: 'Messages keep being recorded for it and wait; nothing is dropped.', response: { status: 200, description: 'The endpoint', example: { ...EXAMPLE_ENDPOINT, enabled: false } }, errors: ['not_found'] })
  @Post(':id/disable')
  @HttpCode(200)
  async disable(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    await this.control.disable(auth, id);
    return this.view(auth, id);
  }

  @ApiDoc('Endpoints', 'partner', { summary: 'Resume deliveries to an endpoint', description: 'What waited while it was disabled is delivered, in order.', response: { status: 200, description: 'The endpoint and the size of the backlog now being delivered', example: { ...EXAMPLE_ENDPOINT, backlog: 12 } }, errors: ['not_found'] })
  @Post(':id/enable')
  @HttpCode(200)
  async enable(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    const { backlog } = await this.control.enable(auth, id);
    return { ...(await this.view(auth, id)), backlog };
  }

  @ApiDoc('Endpoints', 'partner', { summary: 'Update an endpoint (url, description, event_types, enabled, delivery limits)', description: 'max_in_flight and rate_limit_per_second take effect at the next delivery claimed for the endpoint.', body: updateEndpointBody, response: { status: 200, description: 'The endpoint', example: EXAMPLE_ENDPOINT }, errors: ['validation_failed', 'not_found'] })
  @Patch(':id')
  async update(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string, @Body() body: unknown) {
    const { enabled, max_in_flight, rate_limit_per_second, ...input } = parseInput(updateEndpointBody, body);
    if (Object.keys(input).length > 0) await this.endpoints.update(auth, id, input);
    // Limits, enabling and disabling go through the delivery engine: a re-enabled endpoint gets its backlog.
    if (max_in_flight !== undefined || rate_limit_per_second !== undefined) await this.control.configure(auth, id, { max_in_flight, rate_limit_per_second });
    if (enabled === true) await this.control.enable(auth, id);
    if (enabled === false) await this.control.disable(auth, id);
    return this.view(auth, id);
  }

  @ApiDoc('Endpoints', 'partner', { summary: 'Delete an endpoint', description: 'Nothing more is sent to it; its attempts stay readable.', response: { status: 204, description: 'Deleted' }, errors: ['not_found'] })
  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    await this.endpoints.delete(auth, id);
  }

  @ApiDoc('Endpoints', 'partner', { summary: 'Get the signing secret', response: { status: 200, description: 'The current secret', example: { object: 'endpoint_secret', endpoint_id: EXAMPLE_ENDPOINT.id, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } }, errors: ['not_found'] })
  @Get(':id/secret')
  async secret(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    return { object: 'endpoint_secret', endpoint_id: id, secret: this.endpoints.secretOf(await this.endpoints.get(auth, id)) };
  }

  /** The old secret keeps signing beside the new one for 24 hours. */
  @ApiDoc('Endpoints', 'partner', { summary: 'Rotate the signing secret', description: 'Returns a new secret. For 24 hours every message carries two signatures (new and old secret), then only the new one.', response: { status: 200, description: 'The new secret', example: { object: 'endpoint_secret', endpoint_id: EXAMPLE_ENDPOINT.id, secret: 'whsec_2nV0b3Xq7Lr5Tz8Kp1Mw4Yc6Hd9Js3Fa', previous_secret_expires_at: '2026-11-22T10:00:00.000Z' } }, errors: ['not_found'], idempotent: true })
  @Post(':id/rotate-secret')
  @HttpCode(200)
  async rotate(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    const { secret, previousSecretExpiresAt } = await this.endpoints.rotateSecret(auth, id);
    return { object: 'endpoint_secret', endpoint_id: id, secret, previous_secret_expires_at: previousSecretExpiresAt.toISOString() };
  }

  @ApiDoc('Endpoints', 'partner', { summary: 'Send a signed ping now', description: 'Returns the attempt: status code, duration, first KiB of the answer, error.', response: { status: 200, description: 'The attempt', example: EXAMPLE_ATTEMPT }, errors: ['not_found'] })
  @Post(':id/test')
  @HttpCode(200)
  async test(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    const { attempt } = await this.pings.ping(auth, id);
    return attemptView(attempt);
  }

  @ApiDoc('Endpoints', 'partner', { summary: 'Delivery attempts to this endpoint, newest first', query: attemptsQuery, response: { status: 200, description: 'Attempts', example: { object: 'list', data: [EXAMPLE_ATTEMPT] } }, errors: ['not_found'] })
  @Get(':id/attempts')
  async attempts(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string, @Query() query: unknown) {
    const { limit } = parseInput(attemptsQuery, query);
    return { object: 'list', data: (await this.messages.attemptsOfEndpoint(auth, id, limit)).map(attemptView) };
  }

  /** Re-sends every message whose delivery here failed in the window, in their original order and with their original ids. */
  @ApiDoc('Endpoints', 'partner', { summary: 'Re-send every failed message of a time window', body: recoverBody, bodyExample: { since: '2026-11-20T00:00:00Z' }, response: { status: 202, description: 'How many deliveries were scheduled again', example: { object: 'recovery', endpoint_id: EXAMPLE_ENDPOINT.id, scheduled: 20 } }, errors: ['validation_failed', 'not_found'], idempotent: true })
  @Post(':id/recover')
  @HttpCode(202)
  async recover(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string, @Body() body: unknown) {
    const { since, until } = parseInput(recoverBody, body);
    const { deliveryIds } = await this.replay.recover(auth, id, since, until);
    return { object: 'recovery', endpoint_id: id, scheduled: deliveryIds.length };
  }

  private async view(auth: AuthenticatedPartner, id: string) {
    const [endpoint] = await this.endpoints.withLimits(auth, [await this.endpoints.get(auth, id)]);
    return endpointView(endpoint);
  }
}
