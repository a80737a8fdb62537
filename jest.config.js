/** Unit specs live beside the code; integration and e2e tests under test/. */
const { compilerOptions } = require('./tsconfig.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias}$`] = `<rootDir>/${target}`;
}

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/test'],
  testRegex: '\\.(spec|e2e-spec|int-spec)\\.ts$',
  // The portal's web app (apps/portal) is built by Vite and checked by its own tsconfig; its browser tests live under test/.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/portal/'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    }],
  },
  // NestJS 12 and a few of its dependencies ship ESM only; swc compiles them for Jest.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|content-disposition)/)'],
  moduleNameMapper,
  testTimeout: 60000,
  // Issue 12's scan: every log line the services wrote and every text column of every scratch
  // database are searched for keys, secrets and tokens; a find fails the run (test/support/secret-scan.ts).
  globalSetup: '<rootDir>/test/support/secret-scan.global-setup.ts',
  globalTeardown: '<rootDir>/test/support/secret-scan.global-teardown.ts',
};
