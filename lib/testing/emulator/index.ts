export { GoogleOAuth2Emulator } from './emulator.js';
export { EMULATOR_ENDPOINTS } from './types.js';
export type {
  EmulatedUser,
  EmulatorClockApi,
  EmulatorEndpoint,
  EmulatorFault,
  GoogleOAuth2EmulatorOptions,
  RecordedRequest,
  ServiceAccountKeyFile,
} from './types.js';
