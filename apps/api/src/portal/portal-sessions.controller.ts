import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { parseInput } from '@app/errors';
import { AuthenticatedPartner } from '@app/partners';
import { CurrentPartner, KeysOnly, PartnerAuthGuard } from '../auth/partner-auth.guard';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { PortalLinkService } from './portal-link.service';

const portalSessionBody = z.strictObject({});

export const EXAMPLE_PORTAL_LINK = { object: 'portal_link', url: 'https://api.comptappart.fr/portal/login?token=pl_q0lD2n7yJ3m8vXk4Hc9sTf1pWb6zRa5uLe0gNi2oYhM', expires_at: '2026-03-02T10:15:00.000Z' };

/** The partner's own backend opens the portal for one of its users, who never sees an API key. */
@Controller('v1/portal-sessions')
@UseGuards(PartnerAuthGuard)
@KeysOnly()
export class PortalSessionsController {
  constructor(private readonly links: PortalLinkService) {}

  @ApiDoc('Portal', 'partner', {
    summary: 'Create a sign-in link to the partner portal',
    description: 'A single-use link, valid 15 minutes, that opens the portal (/portal) in the environment of the key, for your partner account. Hand it to the person who will use it; it is shown once. Not callable from a portal session (403 forbidden).',
    body: portalSessionBody,
    response: { status: 201, description: 'The link', example: EXAMPLE_PORTAL_LINK },
    errors: ['validation_failed', 'forbidden'],
  })
  @Post()
  @HttpCode(201)
  async create(@CurrentPartner() auth: AuthenticatedPartner, @Body() body: unknown) {
    parseInput(portalSessionBody, body ?? {});
    return this.links.create(auth, auth.apiKeyId);
  }
}
