import { Module } from '@nestjs/common';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { PartnerService } from './partner.service';

@Module({ providers: [ApiKeyRepository, PartnerService, ApiKeyService], exports: [PartnerService, ApiKeyService] })
export class PartnersModule {}
