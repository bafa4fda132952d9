import { SWC_OPTIONS } from './scripts/swc/swc-options.mjs';

// Jest runs the TypeScript sources as ESM through SWC (NestJS 12 is ESM only;
// ts-jest cannot run on TypeScript 7). See docs/development.md.
const swc = ['@swc/jest', SWC_OPTIONS];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^nestjs-google-oauth2$': '<rootDir>/lib/index.ts',
    '^nestjs-google-oauth2/testing$': '<rootDir>/lib/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
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
