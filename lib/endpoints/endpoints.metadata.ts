/** Metadata key of `@Scopes(...)`: the scopes a route requires. */
export const SCOPES_METADATA = 'nestjs-google-oauth2:scopes';
/** Metadata key of `@Public()`: the route needs no token. */
export const PUBLIC_METADATA = 'nestjs-google-oauth2:public';
/**
 * Metadata key of `@AllowServiceAccounts(...)`: the service accounts a route admits (an empty
 * list: every account on `endpoints.serviceAccounts.allowed`).
 */
export const SERVICE_ACCOUNTS_METADATA = 'nestjs-google-oauth2:service-accounts';
