import type { GoogleUserCredentials } from './google-user-credentials.js';
import type { IapCaller } from './iap-caller.js';
import type { ServiceAccountCaller } from './service-account-caller.js';

/**
 * Who called a route, told apart by `kind`: what `@InjectCredentials()` gives.
 * - `'user'`: `GoogleUserCredentials`, a Google user's token that can call Google as them;
 * - `'serviceAccount'`: `ServiceAccountCaller`, another service as its service account
 *   (`endpoints.serviceAccounts`, `@AllowServiceAccounts`);
 * - `'iap'`: `IapCaller`, whoever Identity-Aware Proxy let through (`endpoints.iap`).
 *
 * @publicApi
 */
export type GoogleCaller = GoogleUserCredentials | ServiceAccountCaller | IapCaller;
