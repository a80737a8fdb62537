// @ts-check
// ComptAppart partner developer docs. French is the default locale; English
// lives in i18n/en. The webhook event reference and the API reference are
// generated from the code by scripts/generate-references.mjs before each build.
const { themes: prismThemes } = require('prism-react-renderer');

// Docusaurus builds one locale at a time and says which in this variable.
const english = process.env.DOCUSAURUS_CURRENT_LOCALE === 'en';

/** @type {import('@docusaurus/types').Config} */
const config = {
  title: english ? 'ComptAppart — Partner docs' : 'ComptAppart — Documentation partenaires',
  tagline: english
    ? 'Stripe payments, invoices and signed webhooks for your orders'
    : 'Paiements Stripe, factures et webhooks signés pour vos commandes',
  favicon: 'img/favicon.svg',
  url: 'https://docs.comptappart.example',
  baseUrl: '/',
  trailingSlash: false,

  // Rspack, SWC and Lightning CSS (@docusaurus/faster) for a shorter CI build; Faster requires the v4 flags.
  future: { v4: true, faster: true },

  onBrokenLinks: 'throw',
  onBrokenAnchors: 'throw',
  onDuplicateRoutes: 'throw',

  i18n: {
    defaultLocale: 'fr',
    locales: ['fr', 'en'],
    localeConfigs: {
      fr: { label: 'Français', htmlLang: 'fr-FR' },
      en: { label: 'English', htmlLang: 'en-GB' },
    },
  },

  markdown: {
    mermaid: true,
    // Explicit `{#id}` heading ids keep anchors stable (partners link to them); the v4 flags would turn them off.
    mdx1Compat: { headingIds: true },
    hooks: { onBrokenMarkdownLinks: 'throw', onBrokenMarkdownImages: 'throw' },
  },
  themes: ['@docusaurus/theme-mermaid'],

  presets: [
    [
      'classic',
      /** @type {import('@docusaurus/preset-classic').Options} */
      ({
        docs: {
          routeBasePath: '/',
          sidebarPath: require.resolve('./sidebars.js'),
          showLastUpdateTime: false,
        },
        blog: false,
        theme: { customCss: require.resolve('./src/css/custom.css') },
        sitemap: false,
      }),
    ],
  ],

  themeConfig:
    /** @type {import('@docusaurus/preset-classic').ThemeConfig} */
    ({
      colorMode: { respectPrefersColorScheme: true },
      navbar: {
        title: 'ComptAppart',
        logo: { alt: 'ComptAppart', src: 'img/logo.svg' },
        items: [
          { type: 'doc', docId: 'overview', label: 'Guide', position: 'left' },
          { type: 'doc', docId: 'webhook', label: 'Webhooks', position: 'left' },
          { type: 'doc', docId: 'api-reference/index', label: 'API', position: 'left' },
          { type: 'doc', docId: 'changelog', label: 'Changelog', position: 'right' },
          { type: 'localeDropdown', position: 'right' },
        ],
      },
      footer: {
        style: 'dark',
        links: [
          {
            title: 'Intégration',
            items: [
              { label: 'Configuration', to: '/configuration' },
              { label: 'Webhooks', to: '/webhook' },
              { label: 'Tests en staging', to: '/staging-tests' },
            ],
          },
          {
            title: 'Référence',
            items: [
              { label: 'API', to: '/api-reference' },
              { label: 'Mise en production', to: '/go-live' },
              { label: 'Changelog', to: '/changelog' },
            ],
          },
          {
            title: 'Standards',
            items: [
              { label: 'Standard Webhooks', href: 'https://www.standardwebhooks.com/' },
              { label: 'Stripe — cartes de test', href: 'https://docs.stripe.com/testing' },
            ],
          },
        ],
        copyright: `© ${new Date().getFullYear()} ComptAppart`,
      },
      prism: {
        theme: prismThemes.github,
        darkTheme: prismThemes.dracula,
        additionalLanguages: ['php', 'go', 'python', 'bash', 'json'],
      },
      mermaid: { theme: { light: 'neutral', dark: 'dark' } },
    }),
};

module.exports = config;
