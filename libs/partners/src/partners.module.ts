import { Module } from '@nestjs/common';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { PartnerLogoRepository } from './partner-logo.repository';
import { PartnerRepository } from './partner.repository';
import { PartnerService } from './partner.service';

@Module({
  providers: [ApiKeyRepository, PartnerRepository, PartnerLogoRepository, PartnerService, ApiKeyService],
  exports: [PartnerService, ApiKeyService, PartnerRepository, PartnerLogoRepository],
})
export class PartnersModule {}
