import { Controller, Get } from '@nestjs/common';
import { oauth2 } from '@googleapis/oauth2';
import { GoogleUserCredentials, InjectCredentials, Scopes } from 'nestjs-google-oauth2';
import { GoogleBackend } from '../google/google-backend.js';
import { USERINFO_EMAIL } from '../scopes.js';

@Controller('me')
export class MeController {
  constructor(private readonly google: GoogleBackend) {}

  /**
   * The seed's example: call Google's userinfo API *as the caller*, with the token they sent.
   * `@Scopes` answers 401 without a valid token and 403 when it lacks the scope.
   */
  @Get()
  @Scopes(USERINFO_EMAIL)
  async me(@InjectCredentials() creds: GoogleUserCredentials) {
    const client = oauth2({ version: 'v2', auth: creds.authClient, rootUrl: this.google.apiRoot });
    const { data } = await client.userinfo.get();
    return { email: data.email, id: data.id };
  }
}
