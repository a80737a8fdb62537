import { Controller, Get, UseGuards } from '@nestjs/common';
import { PartnerAuthGuard } from '../auth/partner-auth.guard';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { eventTypeCatalogue } from './event-types.catalogue';

const CATALOGUE = { object: 'list', data: eventTypeCatalogue() };

/** The webhook event catalogue, from the schemas the code builds messages with (the portal's "Event types" page). */
@Controller('v1/event-types')
@UseGuards(PartnerAuthGuard)
export class EventTypesController {
  @ApiDoc('Event types', 'partner', {
    summary: 'List the webhook event types',
    description: 'Every event type with its description (English in `description`, French and English in `descriptions`), the JSON Schema of the body your endpoint receives and an example built from it. The same schemas as docs/webhook-events.schema.json. The same for both environments.',
    response: { status: 200, description: 'Event types', example: { object: 'list', data: [CATALOGUE.data.find((e) => e.type === 'ping')] } },
  })
  @Get()
  list() {
    return CATALOGUE;
  }
}
