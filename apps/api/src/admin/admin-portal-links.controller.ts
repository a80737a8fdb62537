import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { scopeForOperator } from '@app/database';
import { parseInput } from '@app/errors';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { PortalLinkService } from '../portal/portal-link.service';

const portalLinkBody = z.strictObject({ environment: z.enum(['staging', 'production']).optional() });

/** An operator opens the partner portal for a partner (support, onboarding), without handing out a key. */
@Controller('admin/partners/:id/portal-links')
@UseGuards(AdminAuthGuard)
export class AdminPortalLinksController {
  constructor(private readonly links: PortalLinkService) {}

  @ApiDoc('Operator', 'admin', {
    summary: 'Create a sign-in link to the partner portal',
    description: 'Single use, valid 15 minutes; the portal opens in `environment` (staging by default). The link is shown once.',
    body: portalLinkBody,
    response: { status: 201, description: 'The link', example: { object: 'portal_link', url: 'https://api.comptappart.fr/portal/login?token=pl_q0lD2n7yJ3m8vXk4Hc9sTf1pWb6zRa5uLe0gNi2oYhM', expires_at: '2026-03-02T10:15:00.000Z' } },
    errors: ['validation_failed', 'not_found', 'partner_disabled'],
  })
  @Post()
  @HttpCode(201)
  async create(@Param('id') partnerId: string, @Body() body: unknown) {
    const { environment } = parseInput(portalLinkBody, body ?? {});
    return this.links.create(scopeForOperator({ id: partnerId }, environment ?? 'staging'), 'operator');
  }
}
