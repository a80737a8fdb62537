import { Global, Module } from '@nestjs/common';
import { PartnersModule } from '@app/partners';
import { PortalAuthController } from './portal-auth.controller';
import { PortalLinkRepository } from './portal-link.repository';
import { PortalLinkService } from './portal-link.service';
import { PortalSessionRepository } from './portal-session.repository';
import { PortalSessionService } from './portal-session.service';
import { PortalSessionsController } from './portal-sessions.controller';
import { PortalStaticController } from './portal-static.controller';

/**
 * The partner portal: sign-in links, browser sessions and the web app's files. Global because PartnerAuthGuard,
 * used by every /v1 controller, accepts a portal session too.
 */
@Global()
@Module({
  imports: [PartnersModule],
  controllers: [PortalAuthController, PortalSessionsController, PortalStaticController],
  providers: [PortalLinkRepository, PortalSessionRepository, PortalLinkService, PortalSessionService],
  exports: [PortalLinkService, PortalSessionService],
})
export class PortalModule {}
