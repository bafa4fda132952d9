import { PACKAGE_SOURCES } from './scripts/swc/package-entries.mjs';
import { SWC_OPTIONS } from './scripts/swc/swc-options.mjs';

// Jest runs the TypeScript sources as ESM through SWC (NestJS 12 is ESM only;
// ts-jest cannot run on TypeScript 7). See docs/development.md.
const swc = ['@swc/jest', SWC_OPTIONS];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    // The package's own name, as a user imports it: its entry points in lib/.
    ...Object.fromEntries(
      Object.entries(PACKAGE_SOURCES).map(([name, file]) => [`^${name}$`, file]),
    ),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  setupFiles: ['<rootDir>/test/support/quiet-nest-logger.ts'],
  testEnvironment: 'node',
  rootDir: '.',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
  testTimeout: 30000,
};
