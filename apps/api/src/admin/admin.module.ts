import { Module } from '@nestjs/common';
import { PartnersModule } from '@app/partners';
import { AdminKeysController } from './admin-keys.controller';
import { AdminOverviewController } from './admin-overview.controller';
import { AdminController } from './admin.controller';
import { PartnerAdminService } from './partner-admin.service';
import { PartnerLogoParser } from './partner-logo.parser';

@Module({ imports: [PartnersModule], controllers: [AdminController, AdminKeysController, AdminOverviewController], providers: [PartnerAdminService, PartnerLogoParser] })
export class AdminModule {}
