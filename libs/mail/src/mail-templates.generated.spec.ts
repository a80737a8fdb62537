import { mailTemplateSources } from './mail-template.sources';
import { COMPILED_MAIL_TEMPLATES } from './mail-templates.generated';
import { compileMjml } from './mjml-compile';

describe('mail-templates.generated.ts', () => {
  it('is what the MJML sources compile to today (else: npm run build:mail-templates)', async () => {
    const sources = mailTemplateSources();
    expect(Object.keys(COMPILED_MAIL_TEMPLATES).sort()).toEqual(Object.keys(sources).sort());
    for (const [name, source] of Object.entries(sources)) {
      const fresh = await compileMjml(source.mjml, source.keys);
      // One assertion per template, so the failure names which one changed.
      expect({ name, ...COMPILED_MAIL_TEMPLATES[name] }).toEqual({ name, ...fresh });
    }
  });
});
