import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { parseInput } from '@app/errors';
import { PartnerService } from '@app/partners';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { createPartnerSchema, updatePartnerSchema } from './admin.schemas';
import { PartnerAdminService } from './partner-admin.service';
import { logoContentType } from './partner-logo.parser';
import { partnerView } from './partner.view';

@Controller('admin')
@UseGuards(AdminAuthGuard)
export class AdminController {
  constructor(
    private readonly partners: PartnerService,
    private readonly partnerAdmin: PartnerAdminService,
  ) {}

  @Post('partners')
  @HttpCode(201)
  async createPartner(@Body() body: unknown) {
    const input = parseInput(createPartnerSchema, body);
    const { partner: created, apiKeys } = await this.partners.create(input);
    const partner = await this.partnerAdmin.setLegalFields(created.id, input);
    return { ...partnerView(partner), api_keys: { test: apiKeys.staging, live: apiKeys.production } };
  }

  @Get('partners')
  async listPartners() {
    return { object: 'list', data: (await this.partners.list()).map(partnerView) };
  }

  @Get('partners/:id')
  async getPartner(@Param('id') id: string) {
    return partnerView(await this.partners.get(id));
  }

  @Patch('partners/:id')
  async updatePartner(@Param('id') id: string, @Body() body: unknown) {
    return partnerView(await this.partnerAdmin.update(id, parseInput(updatePartnerSchema, body)));
  }

  /** The body is the image itself (Content-Type image/png or image/jpeg, at most 512 KiB). */
  @Put('partners/:id/logo')
  async putLogo(@Param('id') id: string, @Body() body: unknown, @Headers('content-type') contentType: string | undefined) {
    const logo = await this.partnerAdmin.setLogo(id, body as Buffer, logoContentType(body, contentType));
    return { object: 'partner_logo', partner_id: id, content_type: logo.contentType, size: logo.content.length, sha256: logo.sha256 };
  }
}
