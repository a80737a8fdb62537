import { Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiKeyService, AuthenticatedPartner } from '@app/partners';
import { CurrentPartner, KeysOnly, PartnerAuthGuard } from '../auth/partner-auth.guard';
import { apiKeyView } from './partner-views';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { EXAMPLE_API_KEY } from '../openapi/examples';

@Controller('v1/api-keys')
@UseGuards(PartnerAuthGuard)
@KeysOnly()
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @ApiDoc('API keys', 'partner', { summary: 'List the keys of the environment', response: { status: 200, description: 'Keys by prefix, never in full', example: { object: 'list', data: [EXAMPLE_API_KEY] } } })
  @Get()
  async list(@CurrentPartner() auth: AuthenticatedPartner) {
    return { object: 'list', data: (await this.keys.list(auth)).map(apiKeyView) };
  }

  /** Another key for the environment of the key making the call; shown once. */
  @ApiDoc('API keys', 'partner', { summary: 'Create another key for the same environment', description: 'The key is shown once.', response: { status: 201, description: 'The key', example: { ...EXAMPLE_API_KEY, key: 'ca_test_CyntqPPf_7__96-Am5-EAh8FhOWBGWQV' } }, idempotent: true })
  @Post()
  @HttpCode(201)
  async create(@CurrentPartner() auth: AuthenticatedPartner) {
    const { apiKey, key } = await this.keys.create(auth);
    return { ...apiKeyView(apiKey), key };
  }

  @ApiDoc('API keys', 'partner', { summary: 'Revoke a key', description: 'The last key of an environment cannot be revoked: create a new one first.', response: { status: 204, description: 'Revoked' }, errors: ['not_found', 'conflict'] })
  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    await this.keys.revoke(auth, id);
  }
}
