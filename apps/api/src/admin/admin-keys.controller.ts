import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { scopeForOperator } from '@app/database';
import { parseInput } from '@app/errors';
import { ApiKeyService } from '@app/partners';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ApiDoc } from '../openapi/api-doc.decorator';

const issueKeyBody = z.strictObject({ environment: z.enum(['staging', 'production']) });

/** Operators issue a key when a partner has lost access to all of its own. */
@Controller('admin/partners/:id/api-keys')
@UseGuards(AdminAuthGuard)
export class AdminKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @ApiDoc('Operator', 'admin', { summary: 'Issue a key to a partner', body: issueKeyBody, response: { status: 201, description: 'The key, shown once' }, errors: ['validation_failed', 'not_found'] })
  @Post()
  @HttpCode(201)
  async issue(@Param('id') partnerId: string, @Body() body: unknown) {
    const { environment } = parseInput(issueKeyBody, body);
    const { apiKey, key } = await this.keys.issue(scopeForOperator({ id: partnerId }, environment));
    return { id: apiKey.id, object: 'api_key', partner_id: partnerId, environment, prefix: apiKey.prefix, key };
  }
}
