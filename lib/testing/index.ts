/**
 * `nestjs-google-oauth2/testing`: `GoogleOAuth2Emulator`, a local stand-in for Google's OAuth2
 * endpoints for tests, and `tokenStoreContract`, the suite every token store must pass. See
 * docs/testing.md and docs/emulator.md.
 *
 * @packageDocumentation
 */
export { GoogleOAuth2Emulator, EMULATOR_ENDPOINTS } from './emulator/index.js';
export type {
  EmulatedUser,
  EmulatorClockApi,
  EmulatorEndpoint,
  EmulatorFault,
  GoogleOAuth2EmulatorOptions,
  RecordedRequest,
  ServiceAccountKeyFile,
} from './emulator/index.js';

export { tokenStoreContract } from './token-store-contract.js';
export type { TokenStoreContractOptions } from './token-store-contract.js';
