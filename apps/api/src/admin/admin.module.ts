import { Module } from '@nestjs/common';
import { PartnersModule } from '@app/partners';
import { StripeModule } from '@app/stripe';
import { AdminEventsController } from './admin-events.controller';
import { AdminKeysController } from './admin-keys.controller';
import { AdminOverviewController } from './admin-overview.controller';
import { AdminOverviewRepository } from './admin-overview.repository';
import { AdminPortalLinksController } from './admin-portal-links.controller';
import { AdminController } from './admin.controller';
import { PartnerAdminService } from './partner-admin.service';
import { PartnerLogoParser } from './partner-logo.parser';

@Module({ imports: [PartnersModule, StripeModule], controllers: [AdminController, AdminKeysController, AdminOverviewController, AdminEventsController, AdminPortalLinksController], providers: [PartnerAdminService, PartnerLogoParser, AdminOverviewRepository] })
export class AdminModule {}
