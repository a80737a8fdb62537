import { Module } from '@nestjs/common';
import { ApiKeyService } from './api-key.service';
import { PartnerService } from './partner.service';

@Module({ providers: [PartnerService, ApiKeyService], exports: [PartnerService, ApiKeyService] })
export class PartnersModule {}
