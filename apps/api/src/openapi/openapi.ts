import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The API's OpenAPI 3 document, built from the controllers and their zod schemas. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('ComptAppart API')
    .setDescription(
      'Payments, French invoices and partner webhooks. Authenticate with `Authorization: Bearer <key>`: ' +
        '`ca_test_…` keys act on staging, `ca_live_…` keys on production. The partner portal calls the same routes with its ' +
        'session cookie instead, naming the environment in `ComptAppart-Environment` and sending `X-CSRF-Token` on every change ' +
        '(403 `csrf_failed` without it); a session cannot reach /v1/api-keys nor /v1/portal-sessions (403 `forbidden`). ' +
        'Amounts are in minor units (cents). ' +
        'Every error has the shape `{"error": {"code", "message", "request_id", "details"?}}`.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A partner key: ca_test_… (staging) or ca_live_… (production)' }, 'partner_key')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The operator token (ADMIN_TOKEN)' }, 'admin_token')
    .build();
  return SwaggerModule.createDocument(app, config, { autoTagControllers: false, operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
}

/** Serves the document at /openapi.json and a browsable reference at /docs. */
export function serveOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
}
