/** Metadata key of `@Scopes(...)`: the scopes a route requires. */
export const SCOPES_METADATA = 'nestjs-google-oauth2:scopes';
/** Metadata key of `@Public()`: the route needs no token. */
export const PUBLIC_METADATA = 'nestjs-google-oauth2:public';
