import mjml2html from 'mjml';

/** An email's HTML split at its `{{name}}` placeholders: parts[0] key[0] parts[1] … parts[n]. */
export interface CompiledHtml {
  parts: string[];
  keys: string[];
}

/**
 * MJML -> HTML split at its placeholders. Only the template generator (`npm run build:mail-templates`) and the
 * specs call this: MJML weighs about 40 MB of memory in a process, so the api and the worker load the generated
 * result instead (mail-templates.generated.ts).
 */
export async function compileMjml(mjml: string, keys: readonly string[]): Promise<CompiledHtml> {
  const { html, errors } = await mjml2html(mjml, { validationLevel: 'strict', keepComments: false, fonts: {} }); // fonts: {}: no web font links
  if (errors.length) throw new Error(`email template: ${errors.map((e) => e.formattedMessage).join('; ')}`);
  // Nothing may be fetched when the email is opened: no web font, no remote image or stylesheet.
  const remote = html.match(/<link\b[^>]*>|@import|\bsrc="https?:|url\(['"]?https?:/i);
  if (remote) throw new Error(`email template loads a remote resource: ${remote[0]}`);
  // Indentation is only bytes to encode in every email; a line break keeps the whitespace HTML needs there.
  const withScheme = html.replace(/[ \t]*\n\s*/g, '\n').replace(
    '<head>',
    '<head>\n<meta name="color-scheme" content="light dark">\n<meta name="supported-color-schemes" content="light dark">',
  );
  const parts: string[] = [];
  const found: string[] = [];
  const re = /\{\{(\w+)\}\}/g;
  let last = 0;
  for (let m = re.exec(withScheme); m; m = re.exec(withScheme)) {
    if (!keys.includes(m[1])) throw new Error(`email template: unknown placeholder {{${m[1]}}}`);
    parts.push(withScheme.slice(last, m.index));
    found.push(m[1]);
    last = m.index + m[0].length;
  }
  parts.push(withScheme.slice(last));
  return { parts, keys: found };
}
