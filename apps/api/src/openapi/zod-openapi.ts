import { z, ZodType } from 'zod';

type Schema = Record<string, unknown>;

/** The OpenAPI 3.0 form of a request schema, as clients must send it (defaults make fields optional). */
export function openApiSchemaOf(schema: ZodType): Schema {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def;
      if (def.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
    },
  }) as Schema;
  delete json.$schema;
  return json;
}

/** Query-string parameters of an object schema, one per property. */
export function queryParametersOf(schema: ZodType): { name: string; required: boolean; schema: Schema; description?: string }[] {
  const json = openApiSchemaOf(schema) as { properties?: Record<string, Schema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    required: (json.required ?? []).includes(name) && !('default' in s),
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}
