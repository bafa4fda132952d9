import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { SERVICE_ACCOUNTS_METADATA } from './endpoints.metadata.js';
import { GoogleOAuth2Guard } from './google-oauth2.guard.js';

/**
 * Guards a controller or handler and admits service-account callers: other services that send
 * a Google-signed ID token minted for this service (`endpoints.serviceAccounts`). With no
 * arguments, any account on `endpoints.serviceAccounts.allowed`; with emails, only those (each
 * must be on that list: the guard says so, naming the email, when it first reads the route).
 *
 * Alone it admits service accounts only (a user's token gets 403); with `@Scopes(...)` on the
 * same class or method, users with those scopes too. A handler's decorators replace its
 * controller's, as `@Scopes`' do. See `GoogleOAuth2Guard`.
 *
 * @publicApi
 */
export function AllowServiceAccounts(...emails: string[]): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(SERVICE_ACCOUNTS_METADATA, Object.freeze(checkServiceAccountEmails(emails))),
    UseGuards(GoogleOAuth2Guard),
  );
}

/** The arguments of `@AllowServiceAccounts(...)` checked, in lower case, de-duplicated. */
export function checkServiceAccountEmails(emails: readonly unknown[]): string[] {
  for (const email of emails) {
    if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email)) {
      throw new TypeError(
        `@AllowServiceAccounts(): ${JSON.stringify(email)} is not a service-account email`,
      );
    }
  }
  return [...new Set((emails as string[]).map((email) => email.toLowerCase()))];
}
