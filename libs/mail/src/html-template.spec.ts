import { escapeHtml, HtmlTemplate, SafeHtml } from './html-template';
import { compileMjml } from './mjml-compile';

describe('HtmlTemplate', () => {
  const mjml = (body: string) => `<mjml lang="fr"><mj-head><mj-title>{{title}}</mj-title></mj-head><mj-body><mj-section><mj-column><mj-text>${body}</mj-text></mj-column></mj-section></mj-body></mjml>`;
  const compile = async <K extends string>(source: string, keys: readonly K[]) => HtmlTemplate.fromCompiled(await compileMjml(source, keys), keys);

  it('escapes every value, in text and in attributes; only SafeHtml goes in as it is', async () => {
    const sut = await compile(mjml('<a href="mailto:{{contact}}">{{name}}</a>{{rows}}'), ['title', 'contact', 'name', 'rows']);
    const html = sut.fill({ title: 'T', contact: '"><script>x</script>', name: `Tom & Jerry's <b>`, rows: new SafeHtml('<tr><td>1</td></tr>') });
    expect(html).toContain('href="mailto:&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(html).toContain('Tom &amp; Jerry&#39;s &lt;b&gt;');
    expect(html).toContain('<tr><td>1</td></tr>');
    expect(html).not.toContain('<script>');
  });

  it('says color-scheme, loads no web font, and refuses a template that would fetch something', async () => {
    const sut = await compile(mjml('{{title}}'), ['title']);
    const html = sut.fill({ title: 'x' });
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).not.toMatch(/fonts\.googleapis|<link/);
    await expect(compileMjml(mjml('<img src="https://tracker.example/p.gif">'), [])).rejects.toThrow(/remote resource/);
    await expect(compileMjml(mjml('{{nope}}'), ['title'])).rejects.toThrow(/unknown placeholder/);
  });

  it('refuses a compiled template whose placeholders its code does not fill', async () => {
    const compiled = await compileMjml(mjml('{{title}} {{extra}}'), ['title', 'extra']);
    expect(() => HtmlTemplate.fromCompiled(compiled, ['title'])).toThrow(/unknown placeholder \{\{extra\}\}/);
  });

  it('escapeHtml leaves plain text alone', () => {
    expect(escapeHtml('117,50 € — Livre')).toBe('117,50 € — Livre');
  });
});
