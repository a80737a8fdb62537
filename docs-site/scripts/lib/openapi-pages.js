// The API reference, from the OpenAPI 3 document the api generates (docs/openapi.json):
// one page per tag, one section per operation, with parameters, bodies and examples.
const { exampleFor, flattenFields } = require('./json-schema.js');
const { code, frontMatter, GENERATED_NOTICE, jsonBlock, slug, table, text } = require('./markdown.js');
const { TAG_STATUS } = require('./labels.js');

function badge(tag) {
  return TAG_STATUS[tag] ? ` <Status kind="${TAG_STATUS[tag]}" />` : '';
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

// These docs are for partners: the operator API (/admin, ADMIN_TOKEN) and the
// Stripe ingest (/stripe, called by Stripe) are in the OpenAPI document but are
// not theirs to call, so they are left out. Operations marked `x-internal` too.
const NOT_FOR_PARTNERS = [/^\/admin(\/|$)/, /^\/stripe(\/|$)/];

function forPartners(path, op) {
  return !op['x-internal'] && !NOT_FOR_PARTNERS.some((re) => re.test(path));
}

/** `CheckoutSessions` -> `Checkout sessions`, `ApiKeys` -> `API keys`. */
function humanize(tag) {
  const words = tag.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').trim().split(/\s+/);
  return words
    .map((w, i) => (/^api$/i.test(w) ? 'API' : i === 0 ? w[0].toUpperCase() + w.slice(1) : w.toLowerCase()))
    .join(' ');
}

function checkOpenApi(doc) {
  if (!doc || typeof doc !== 'object') throw new Error('the OpenAPI document is not a JSON object');
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.')) {
    throw new Error(`expected an OpenAPI 3.x document ("openapi": "3.…"), got ${JSON.stringify(doc.openapi ?? doc.swagger)}`);
  }
  if (!doc.paths || Object.keys(doc.paths).length === 0) throw new Error('the OpenAPI document has no paths');
}

/** Operations grouped by their first tag (or first path segment), in document order. */
function groupOperations(doc, tagLabels = {}) {
  const groups = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op || !forPartners(path, op)) continue;
      const tag = op.tags?.[0] ?? path.split('/').filter(Boolean).find((p) => !/^v\d+$/.test(p)) ?? 'default';
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push({ path, method, op, shared: item.parameters ?? [] });
    }
  }
  const tagInfo = new Map((doc.tags ?? []).map((t) => [t.name, t]));
  return [...groups.entries()].map(([tag, ops]) => ({
    tag,
    slug: slug(humanize(tag)),
    info: { ...tagInfo.get(tag), name: tagLabels[tag] ?? humanize(tag) },
    ops,
  }));
}

/** `{ "index.mdx": …, "<tag>.mdx": …, "_category_.json": … }` for one locale. */
function renderApiReference(doc, t) {
  checkOpenApi(doc);
  const groups = groupOperations(doc, t.tagLabels);
  if (groups.length === 0) throw new Error('the OpenAPI document has no operation for partners (all are under /admin or /stripe)');
  const files = {};
  files['_category_.json'] = JSON.stringify({ label: t.apiCategory, position: 7 }, null, 2) + '\n';
  files['index.mdx'] = renderIndex(doc, groups, t);
  groups.forEach((g, i) => {
    files[`${g.slug}.mdx`] = renderGroup(doc, g, i + 2, t);
  });
  return files;
}

function renderIndex(doc, groups, t) {
  let out = frontMatter({ title: t.apiTitle, sidebar_label: t.apiOverview, sidebar_position: 1, slug: '/api-reference' }) + GENERATED_NOTICE;
  out += `# ${t.apiTitle}\n\n${t.apiIntro(text(doc.info?.title ?? 'API'), text(doc.info?.version ?? ''), doc.openapi)}\n\n`;
  if (doc.info?.description) out += `${text(doc.info.description)}\n\n`;
  if (doc.servers?.length) {
    out += `## ${t.servers}\n\n` + table([t.url, t.description], doc.servers.map((s) => [code(s.url), text(s.description ?? '')])) + '\n';
  }
  // Only the schemes partner operations use (not the operator's token).
  const used = new Set(groups.flatMap((g) => g.ops.flatMap(({ op }) => (op.security ?? doc.security ?? []).flatMap((r) => Object.keys(r)))));
  const schemes = Object.entries(doc.components?.securitySchemes ?? {}).filter(([name]) => used.has(name));
  if (schemes.length) {
    out += `## ${t.authentication}\n\n` + table([t.scheme, t.typeCol, t.description], schemes.map(([name, s]) => [
      code(name), code([s.type, s.scheme, s.in && `${s.in}: ${s.name}`].filter(Boolean).join(' ')), text(s.description ?? ''),
    ])) + '\n';
  }
  out += `## ${t.operations}\n\n`;
  for (const g of groups) {
    out += `### [${text(g.info.name)}](./${g.slug}.mdx)${badge(g.tag)}\n\n`;
    if (g.info.description) out += `${text(g.info.description)}\n\n`;
    out += g.ops.map(({ method, path, op }) => `- [${code(`${method.toUpperCase()} ${path}`)}](./${g.slug}.mdx#${opId(method, path, op)})${op.summary ? ` — ${text(op.summary)}` : ''}`).join('\n') + '\n\n';
  }
  return out;
}

function opId(method, path, op) {
  return slug(op.operationId ?? `${method} ${path}`);
}

function renderGroup(doc, group, position, t) {
  // One TOC entry per operation: parameters/body/responses under each would drown them.
  let out = frontMatter({ title: group.info.name, sidebar_position: position, toc_max_heading_level: 2 }) + GENERATED_NOTICE;
  out += `# ${text(group.info.name)}\n\n`;
  if (badge(group.tag)) out += `${badge(group.tag).trim()}\n\n`;
  if (group.info.description) out += `${text(group.info.description)}\n\n`;
  for (const { path, method, op, shared } of group.ops) out += renderOperation(doc, path, method, op, shared, t);
  return out;
}

function renderOperation(doc, path, method, op, shared, t) {
  let out = `## ${code(`${method.toUpperCase()} ${path}`)} {#${opId(method, path, op)}}\n\n`;
  if (op.deprecated) out += `:::warning\n${t.deprecated}\n:::\n\n`;
  if (op.summary) out += `**${text(op.summary)}**\n\n`;
  if (op.description) out += `${text(op.description)}\n\n`;
  const security = op.security ?? doc.security ?? [];
  const schemeNames = security.flatMap((req) => Object.keys(req));
  out += `${t.authLine(schemeNames.length ? schemeNames.map(code).join(', ') : t.none)}\n\n`;

  const params = [...shared, ...(op.parameters ?? [])].map((p) => resolve(p, doc));
  if (params.length) {
    out += `### ${t.parameters}\n\n` + table([t.name, t.in, t.typeCol, t.required, t.description], params.map((p) => [
      code(p.name), p.in, code(schemaType(p.schema)), p.required ? t.yes : t.no, text(p.description ?? ''),
    ])) + '\n';
  }

  const body = op.requestBody ? resolve(op.requestBody, doc) : null;
  if (body?.content) {
    const [type, media] = Object.entries(body.content)[0];
    out += `### ${t.requestBody} (${code(type)})\n\n`;
    if (body.description) out += `${text(body.description)}\n\n`;
    out += fieldsTable(media.schema, doc, t);
    out += `\n${jsonBlock(mediaExample(media, doc, path), t.requestExample)}\n`;
  }

  out += `### ${t.responses}\n\n`;
  for (const [status, raw] of Object.entries(op.responses ?? {})) {
    const res = resolve(raw, doc);
    out += `#### ${status}${res.description ? ` — ${text(res.description)}` : ''}\n\n`;
    const content = res.content && Object.entries(res.content)[0];
    if (!content) continue;
    const [type, media] = content;
    if (!/json/.test(type)) {
      out += `${t.contentType(code(type))}\n\n`;
      continue;
    }
    if (media.schema) {
      const rows = flattenFields(media.schema, doc);
      if (rows.length) out += `<details>\n<summary>${t.fields}</summary>\n\n${fieldsTable(media.schema, doc, t)}\n</details>\n\n`;
    }
    out += jsonBlock(mediaExample(media, doc, path)) + '\n';
  }
  return out;
}

function fieldsTable(schema, doc, t) {
  if (!schema) return '';
  return table([t.field, t.typeCol, t.required, t.description], flattenFields(schema, doc).map((f) => [
    code(f.path), code(f.type), f.required ? t.yes : t.no, text(f.description),
  ]));
}

function mediaExample(media, doc, path) {
  if (media.example !== undefined) return media.example;
  const first = media.examples && Object.values(media.examples)[0];
  if (first) return resolve(first, doc).value;
  return exampleFor(media.schema ?? {}, doc, { hint: path.split('/').filter((p) => p && !p.startsWith('{')).slice(-1)[0] ?? '' });
}

function schemaType(schema) {
  if (!schema) return 'string';
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  return schema.type ?? (schema.$ref ? schema.$ref.split('/').pop() : 'string');
}

function resolve(obj, doc) {
  if (!obj?.$ref) return obj;
  let target = doc;
  for (const part of obj.$ref.slice(2).split('/')) target = target?.[part];
  if (!target) throw new Error(`unresolved $ref ${obj.$ref}`);
  return resolve(target, doc);
}

module.exports = { checkOpenApi, groupOperations, renderApiReference };
