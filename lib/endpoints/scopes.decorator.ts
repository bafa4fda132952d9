import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { PUBLIC_METADATA, SCOPES_METADATA } from './endpoints.metadata.js';
import { GoogleOAuth2Guard } from './google-oauth2.guard.js';
import { checkScopeNames } from './scopes.js';

/**
 * Guards a controller or handler: the caller must send a valid Google token granting every
 * listed scope (`email`/`profile` aliases understood); none listed: any valid token. A
 * handler's `@Scopes` replaces its controller's (it does not add to it). See `GoogleOAuth2Guard`.
 */
export function Scopes(...scopes: string[]): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(SCOPES_METADATA, Object.freeze(checkScopeNames(scopes))),
    UseGuards(GoogleOAuth2Guard),
  );
}

/**
 * Opts a controller or handler out of a global `GoogleOAuth2Guard`: no token needed. A
 * handler's `@Scopes` still applies under a `@Public()` controller.
 */
export function Public(): ClassDecorator & MethodDecorator {
  return SetMetadata(PUBLIC_METADATA, true);
}
