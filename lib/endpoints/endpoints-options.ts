import type { EndpointsOptions } from '../oauth2.options.js';
import { DEFAULT_REALM } from './endpoints.constants.js';

/** `EndpointsOptions` checked, with defaults. */
export interface ResolvedEndpointsOptions {
  allowedClientIds: ReadonlySet<string>;
  allowAnyClient: boolean;
  audiences: readonly string[];
  acceptIdTokens: boolean;
  allowQueryToken: boolean;
  realm: string;
}

/** Checks the endpoints options at boot; a mistake is a `TypeError` naming the option. */
export function resolveEndpointsOptions(options: EndpointsOptions = {}): ResolvedEndpointsOptions {
  const allowedClientIds = stringList(options.allowedClientIds, 'allowedClientIds');
  if (allowedClientIds.includes('*')) {
    throw new TypeError(
      'OAuth2Module: "endpoints.allowedClientIds" does not take a "*" wildcard; ' +
        'set "endpoints.allowAnyClient: true" to accept tokens of any OAuth client',
    );
  }
  const realm = options.realm ?? DEFAULT_REALM;
  if (typeof realm !== 'string' || !/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/.test(realm)) {
    throw new TypeError(
      'OAuth2Module: "endpoints.realm" must be printable ASCII without quotes or backslashes',
    );
  }
  return {
    allowedClientIds: new Set(allowedClientIds),
    allowAnyClient: flag(options.allowAnyClient, 'allowAnyClient'),
    audiences: stringList(options.audiences, 'audiences'),
    acceptIdTokens: flag(options.acceptIdTokens, 'acceptIdTokens'),
    allowQueryToken: flag(options.allowQueryToken, 'allowQueryToken'),
    realm,
  };
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== '')) {
    throw new TypeError(`OAuth2Module: "endpoints.${name}" must be a list of non-empty strings`);
  }
  return [...new Set(value as string[])];
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new TypeError(`OAuth2Module: "endpoints.${name}" must be true or false`);
  }
  return value;
}
