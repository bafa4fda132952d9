import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { oauth2 } from '@googleapis/oauth2';
import { ServiceAccountCredentialsFactory } from 'nestjs-google-oauth2';
import { GoogleBackend } from '../google/google-backend.js';
import { USERINFO_EMAIL } from '../scopes.js';

/**
 * The app's own side: tokens minted for its service account, through the token store.
 *
 * These routes are open so that they can be tried with curl. A real app would not let anonymous
 * callers have tokens minted, least of all as a domain user.
 */
@Controller('service-account')
export class ServiceAccountController {
  constructor(
    private readonly factory: ServiceAccountCredentialsFactory,
    private readonly google: GoogleBackend,
  ) {}

  /**
   * `?scope=…` (repeated or space-separated) `&user=…` (optional: act as that domain user).
   * Shows when the token expires and what it is for, never the token itself. Call it twice:
   * the second answer comes from the token store, with the same expiry.
   */
  @Get('token')
  async token(@Query('scope') scope?: string | string[], @Query('user') user?: string) {
    const scopes = parseScopes(scope);
    const subject = typeof user === 'string' && user.trim() ? user.trim() : undefined;
    const { expiresAt } = await this.factory.getAccessToken(scopes, subject);
    return { expiresAt, scopes, user: subject ?? null };
  }

  /** A googleapis client on the service account's credentials: whose token is it? */
  @Get('userinfo')
  async userinfo() {
    const auth = this.factory.build(USERINFO_EMAIL);
    const client = oauth2({ version: 'v2', auth, rootUrl: this.google.apiRoot });
    const { data } = await client.userinfo.get();
    return { email: data.email };
  }
}

function parseScopes(scope: string | string[] | undefined): string[] {
  const values = Array.isArray(scope) ? scope : scope === undefined ? [] : [scope];
  const scopes = [
    ...new Set(values.flatMap((value) => String(value).split(/\s+/)).filter(Boolean)),
  ];
  if (scopes.length === 0) {
    throw new BadRequestException('?scope= is required (an OAuth2 scope; repeat it for several)');
  }
  return scopes;
}
