import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { ZodType } from 'zod';
import { ERROR_CATALOGUE, ErrorCode } from '@app/errors';
import { openApiSchemaOf, queryParametersOf } from './zod-openapi';

export interface ApiDocOptions {
  summary: string;
  description?: string;
  body?: ZodType;
  bodyExample?: unknown;
  query?: ZodType;
  /** The success status and an example of its body. */
  response: { status: number; description: string; example?: unknown };
  /** The error codes this route can answer besides authentication ones. */
  errors?: ErrorCode[];
  idempotent?: boolean;
}

const errorExample = (code: ErrorCode) => ({
  error: { code, message: ERROR_CATALOGUE[code].message, request_id: 'req_4f1c2a9e0b7d4c3e8a6f5d2b1c0e9a87' },
});

/**
 * Everything the OpenAPI document says about a route, from the same zod
 * schemas that validate it, so the reference cannot drift from the code.
 */
export function ApiDoc(tag: string, auth: 'partner' | 'admin' | 'stripe', options: ApiDocOptions): MethodDecorator {
  const decorators = [
    ApiTags(tag),
    ApiOperation({ summary: options.summary, description: options.description }),
    ApiResponse({
      status: options.response.status,
      description: options.response.description,
      ...(options.response.example !== undefined ? { schema: { example: options.response.example } } : {}),
    }),
  ];
  if (auth !== 'stripe') decorators.push(ApiBearerAuth(auth === 'partner' ? 'partner_key' : 'admin_token'));
  if (options.body) {
    decorators.push(ApiBody({ schema: { ...openApiSchemaOf(options.body), ...(options.bodyExample ? { example: options.bodyExample } : {}) } }));
  }
  if (options.query) for (const p of queryParametersOf(options.query)) decorators.push(ApiQuery({ name: p.name, required: p.required, schema: p.schema, description: p.description }));
  if (options.idempotent) {
    decorators.push(ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key and body within 24 h returns the first response; another body is a 409.' }));
  }
  const errors: ErrorCode[] = [...(options.errors ?? []), ...(auth === 'stripe' ? [] : (['unauthenticated'] as ErrorCode[])), ...(auth === 'partner' ? (['rate_limited'] as ErrorCode[]) : [])];
  // One response per status: several codes can share one (409s), and a second ApiResponse would replace the first.
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(errors)) byStatus.set(ERROR_CATALOGUE[code].status, [...(byStatus.get(ERROR_CATALOGUE[code].status) ?? []), code]);
  for (const [status, codes] of byStatus) {
    const description = codes.map((code) => `\`${code}\`: ${ERROR_CATALOGUE[code].message}`).join('\n\n');
    decorators.push(ApiResponse({ status, description, schema: { example: errorExample(codes[0]) } }));
  }
  return applyDecorators(...decorators);
}
