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
